# SPDX-License-Identifier: MIT
date -u -d @0 '+%Y-%m-%d %H:%M:%S'
date -u -d @1000000000 '+%Y %j'
