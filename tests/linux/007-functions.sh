# SPDX-License-Identifier: MIT
greet() { echo "hello $1"; return 3; }
greet world
echo "status $?"
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }
fact 6
