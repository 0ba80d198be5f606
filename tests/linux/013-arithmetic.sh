# SPDX-License-Identifier: MIT
echo $((7 * 6)) $((100 / 7)) $((100 % 7)) $((2 ** 10))
i=5; i=$((i + 1)); echo $i
echo $(( (3 + 4) * 2 - 1 ))
