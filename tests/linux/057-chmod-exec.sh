# SPDX-License-Identifier: MIT
printf '#!/bin/sh\necho from script "$@"\n' > s.sh
chmod +x s.sh
./s.sh one two
sh s.sh three
