# SPDX-License-Identifier: MIT
mkdir -p a/b/c
echo x > a/b/c/f
mv a/b/c/f a/g
ls a
rm -r a/b
ls a
[ -e a/b ] || echo gone
