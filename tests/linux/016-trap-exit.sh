# SPDX-License-Identifier: MIT
trap 'echo cleanup' EXIT
echo working
