# SPDX-License-Identifier: MIT
printf 'apple\nbanana\ncherry\napricot\n' > fruits
grep ap fruits
grep -c a fruits
grep -v an fruits
grep -n '^c' fruits
grep -E 'a(n|p)' fruits | wc -l
grep -q zzz fruits; echo $?
