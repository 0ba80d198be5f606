# SPDX-License-Identifier: MIT
seq 1 20 | grep -v 1 | sort -rn | head -3 | tr '\n' ,
echo
