# SPDX-License-Identifier: MIT
a=1 b=two
echo "$a $b ${b}s ${c:-default} ${#b}"
unset a; echo "[${a}]"
export E=exported; sh -c 'echo $E'
