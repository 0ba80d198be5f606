# SPDX-License-Identifier: MIT
printf '%s-%s\n' a b
printf '%05d|%x|%o\n' 42 255 8
printf '%-5s|\n' ab
printf '%.3f\n' 3.14159
