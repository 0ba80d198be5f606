# SPDX-License-Identifier: MIT
seq 10 > f
head -n 3 f
tail -n 2 f
tail -c 3 f
