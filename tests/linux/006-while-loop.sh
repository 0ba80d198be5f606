# SPDX-License-Identifier: MIT
n=0
while [ $n -lt 5 ]; do n=$((n + 1)); done
echo $n
until [ $n -eq 0 ]; do n=$((n - 1)); done
echo $n
