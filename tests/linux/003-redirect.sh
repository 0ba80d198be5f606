# SPDX-License-Identifier: MIT
echo first > out.txt
echo second >> out.txt
cat < out.txt
wc -l < out.txt
echo to-stderr 2>&1 >/dev/null
( echo err >&2 ) 2> err.txt; cat err.txt
