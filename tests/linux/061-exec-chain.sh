# SPDX-License-Identifier: MIT
sh -c 'sh -c "echo deep; exit 9"; echo inner $?'
echo outer $?
