# SPDX-License-Identifier: MIT
touch -d @1000000000 old
stat -c '%s %Y' old
echo 123 > f; stat -c '%s %F' f
