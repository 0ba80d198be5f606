# SPDX-License-Identifier: MIT
printf 'a\nb\nc\n' | xargs echo
printf '1 2 3 4\n' | xargs -n 2 echo
printf 'f1\nf2\n' | xargs touch; ls f1 f2
