# SPDX-License-Identifier: MIT
seq 5
seq 2 2 10
seq 3 -1 1 | tr '\n' ' '; echo
