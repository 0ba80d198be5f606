# SPDX-License-Identifier: MIT
echo target > t.txt
ln -s t.txt link
cat link
readlink link
[ -L link ] && echo is-link
rm t.txt
cat link 2>/dev/null || echo dangling
