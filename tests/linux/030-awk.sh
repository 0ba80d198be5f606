# SPDX-License-Identifier: MIT
printf '1 2\n3 4\n5 6\n' | awk '{ s += $1 * $2 } END { print s }'
echo a:b:c | awk -F: '{ print $2, NF }'
awk 'BEGIN { for (i = 1; i <= 3; i++) printf "%d,", i; print "" }'
printf 'x\ny\n' | awk 'NR == 2'
