# SPDX-License-Identifier: MIT
echo one two three | tr ' ' '\n' | sort | head -n 2
printf 'a\nb\nc\n' | wc -l
seq 1 100 | grep 7 | wc -l
