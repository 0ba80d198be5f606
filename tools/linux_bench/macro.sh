# The shell macrobenchmark (tools/bench.py, tools/linux_bench.py): the same busybox script on
# Tern's Linux personality and on Linux in the same emulator. Twenty rounds of ten small
# commands each (200 in all), with pipes, redirections and files in a fresh directory; a
# final checksum of everything it made, so that both systems are seen to do the same work.
set -e
work=/tmp/macro.$$
rm -rf "$work"
mkdir -p "$work"
cd "$work"
i=1
while [ "$i" -le 20 ]; do
    seq "$i" $((i + 30)) > "numbers.$i"
    sort -rn "numbers.$i" | head -n 5 > "top.$i"
    grep -c 1 "numbers.$i" >> counts
    sed -e "s/^/line $i: /" "top.$i" > "lines.$i"
    awk '{ total += $NF } END { print total }' "lines.$i" >> totals
    cat "numbers.$i" "top.$i" | wc -l >> lengths
    echo "round $i" | tr a-z A-Z >> rounds
    cp "lines.$i" "copy.$i"
    mv "copy.$i" "moved.$i"
    cut -d: -f2 "moved.$i" | uniq | md5sum >> sums
    i=$((i + 1))
done
cat counts totals lengths rounds sums | md5sum
cd /
rm -rf "$work"
