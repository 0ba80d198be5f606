# SPDX-License-Identifier: MIT
echo hello world
echo -n no newline; echo
echo "quoted   spaces" 'single $HOME'
