# SPDX-License-Identifier: MIT
f() { while getopts ab: o; do echo "opt $o ${OPTARG:-}"; done; }
f -a -b val
