# SPDX-License-Identifier: MIT
true && echo and-yes
false && echo and-no
false || echo or-yes
true || echo or-no
[ -d / ] && echo root-is-dir
