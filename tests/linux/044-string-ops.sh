# SPDX-License-Identifier: MIT
s=hello.tar.gz
echo ${s%.gz} ${s%%.*} ${s#*.} ${s##*.}
echo ${s:0:5}
