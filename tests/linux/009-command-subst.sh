# SPDX-License-Identifier: MIT
now=$(echo captured)
echo "got: $now"
count=`seq 1 10 | wc -l`
echo "count: $count"
echo "nested: $(echo $(echo deep))"
