# SPDX-License-Identifier: MIT
# SIGSTOP stops a process until SIGCONT; a process that stopped itself goes on where it was.
sleep 5 & p=$!
kill -STOP $p; echo stopped
kill -CONT $p; echo continued
kill -TERM $p; wait $p; echo "status $?"
sh -c 'kill -STOP $$; echo "woke"' & q=$!
sleep 0.3; kill -CONT $q; wait $q; echo "status $?"
