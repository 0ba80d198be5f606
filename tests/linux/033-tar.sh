# SPDX-License-Identifier: MIT
mkdir src; echo one > src/1; echo two > src/2
tar cf arch.tar src
rm -r src
tar xf arch.tar
cat src/1 src/2
tar tf arch.tar | sort
