# SPDX-License-Identifier: MIT
echo a > f1; echo a > f2; echo b > f3
cmp f1 f2 && echo same
cmp -s f1 f3 || echo differ
diff f1 f3 > /dev/null; echo $?
