# SPDX-License-Identifier: MIT
echo hello world | sed 's/world/there/'
printf '1\n2\n3\n4\n' | sed -n '2,3p'
printf 'a\nb\n' | sed '1d'
echo aaa | sed 's/a/b/g'
printf 'x\ny\n' > f; sed -i 's/x/X/' f; cat f
