# SPDX-License-Identifier: MIT
printf 'AB\001\n' | od -c
printf 'hi' | od -An -tx1
