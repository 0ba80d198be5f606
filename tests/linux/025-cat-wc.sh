# SPDX-License-Identifier: MIT
printf 'one two\nthree\n' > f
cat f f
wc f
wc -w < f
wc -c < f
