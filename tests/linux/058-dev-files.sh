# SPDX-License-Identifier: MIT
echo hidden > /dev/null; echo $?
head -c 4 /dev/zero | od -An -tx1
head -c 16 /dev/urandom | wc -c
