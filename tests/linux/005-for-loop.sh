# SPDX-License-Identifier: MIT
for i in 1 2 3 4 5; do
  echo "i=$i"
done
for word in alpha beta; do echo $word; done
