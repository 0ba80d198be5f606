# SPDX-License-Identifier: MIT
x=outer
( x=inner; echo $x )
echo $x
(cd / && pwd)
here=$(pwd)
(cd / ); [ "$(pwd)" = "$here" ] && echo cwd-kept
