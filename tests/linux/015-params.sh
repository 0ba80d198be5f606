# SPDX-License-Identifier: MIT
set -- x y z
echo $# $1 $3
shift; echo $@
f() { echo "$#:$*"; }; f 1 2 3
