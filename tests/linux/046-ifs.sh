# SPDX-License-Identifier: MIT
IFS=:
set -- $(echo a:b:c)
echo $2
IFS=' '
for w in $(echo "x y"); do echo $w; done
