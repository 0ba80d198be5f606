# SPDX-License-Identifier: MIT
printf 'a\na\nb\nb\nb\nc\n' | uniq
printf 'a\na\nb\nb\nb\nc\n' | uniq -c
printf 'a\na\nb\n' | uniq -d
