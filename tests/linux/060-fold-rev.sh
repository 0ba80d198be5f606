# SPDX-License-Identifier: MIT
echo abcdefghij | fold -w 4
echo hello | rev
printf 'b\na\n' | tac
