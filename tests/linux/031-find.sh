# SPDX-License-Identifier: MIT
mkdir -p p/q; touch p/a.txt p/q/b.txt p/q/c.log
find p -name '*.txt' | sort
find p -type d | sort
find p -type f -name '*.log'
