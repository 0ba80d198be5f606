# SPDX-License-Identifier: MIT
seq 1 20000 | wc -l
seq 1 20000 | tail -n 1
yes abc | head -n 3
