# SPDX-License-Identifier: MIT
mkdir in; echo x > in/a; echo y > in/b
find in | sort | cpio -o -H newc > arch.cpio 2>/dev/null
mkdir out; cd out
cpio -i -d < ../arch.cpio 2>/dev/null
cat in/a in/b
