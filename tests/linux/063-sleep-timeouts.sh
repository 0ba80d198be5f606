# SPDX-License-Identifier: MIT
# Timed waits end by themselves, with nothing else happening in the system: sleep, a
# read -t on a pipe that stays empty (poll's timeout), timeout(1) ending a sleeper.
start=$(date +%s)
sleep 1
echo "slept"
sleep 3 | { if read -t 1 line; then echo "read: $line"; else echo "read timed out"; fi; }
sleep 0.3 && echo "fractional sleep done"
timeout 1 sleep 5
echo "timeout status $?"
end=$(date +%s)
elapsed=$((end - start))
[ $elapsed -ge 2 ] && [ $elapsed -le 30 ] && echo "elapsed in range"
