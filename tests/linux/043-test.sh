# SPDX-License-Identifier: MIT
[ 1 -lt 2 ] && echo lt
[ abc = abc ] && echo eq
[ -z "" ] && echo empty
[ -n x ] && echo nonempty
touch f; [ -f f ] && [ ! -d f ] && echo file
