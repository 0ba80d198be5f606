# SPDX-License-Identifier: MIT
false | true; echo $?
true | false; echo $?
