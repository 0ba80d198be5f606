# SPDX-License-Identifier: MIT
for v in apple 42 x.txt other; do
  case $v in
    apple) echo fruit;;
    [0-9]*) echo number;;
    *.txt) echo text;;
    *) echo unknown;;
  esac
done
