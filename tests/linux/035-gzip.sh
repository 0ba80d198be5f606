# SPDX-License-Identifier: MIT
seq 1 1000 > numbers
gzip numbers
[ -f numbers.gz ] && echo compressed
gunzip numbers.gz
wc -l < numbers
echo hello | gzip | gunzip
