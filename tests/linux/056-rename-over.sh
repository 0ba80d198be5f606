# SPDX-License-Identifier: MIT
echo a > x; echo b > y
mv x y
cat y
[ -e x ] || echo x-gone
mkdir d1 d2; mv d1 d2/; ls d2
