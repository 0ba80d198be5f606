# SPDX-License-Identifier: MIT
echo data > one
ln one two
echo more >> two
cat one
ls -l one | awk '{print $2}'
rm one; cat two
