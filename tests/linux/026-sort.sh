# SPDX-License-Identifier: MIT
printf '3\n1\n2\n10\n' | sort
printf '3\n1\n2\n10\n' | sort -n
printf 'b\na\nc\n' | sort -r
printf 'x 2\ny 1\n' | sort -k2 -n
