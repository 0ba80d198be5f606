# SPDX-License-Identifier: MIT
printf 'one two\nthree\n' > f
while read a b; do echo "[$a][$b]"; done < f
read x < f; echo $x
