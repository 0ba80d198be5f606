# SPDX-License-Identifier: MIT
echo a,b,c | cut -d, -f2
echo abcdef | cut -c 2-4
echo Hello | tr a-z A-Z
echo aabbcc | tr -s ab
