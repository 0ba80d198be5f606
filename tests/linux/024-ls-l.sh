# SPDX-License-Identifier: MIT
mkdir d; touch d/f; echo 12345 > s
chmod 750 d; chmod 640 s
ls -l s | awk '{print $1, $5, $9}'
ls -ld d | awk '{print $1, $9}'
ls d
