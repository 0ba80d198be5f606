# SPDX-License-Identifier: MIT
(exit 3) &
wait $!
echo "first $?"
( echo bg; exit 5 ) &
wait $!
echo "second $?"
