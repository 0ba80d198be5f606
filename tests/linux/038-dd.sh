# SPDX-License-Identifier: MIT
dd if=/dev/zero of=z bs=512 count=4 2>/dev/null
wc -c < z
echo abcdefgh | dd bs=1 skip=2 count=3 2>/dev/null; echo
