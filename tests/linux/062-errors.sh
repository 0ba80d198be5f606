# SPDX-License-Identifier: MIT
cat /nonexistent 2>/dev/null; echo cat $?
mkdir /tmp 2>/dev/null; echo mkdir $?
rmdir / 2>/dev/null; echo rmdir $?
ls /nonexistent 2>/dev/null; echo ls $?
