#!/bin/sh
# The recorder's overhead on this machine: each program alone and under `trimlab record`,
# interleaved RUNS times; prints the medians (seconds) and their ratio. Not part of `make test`
# (no test asserts a time). Usage: tests/record/overhead.sh [RUNS]   (after `make native`)
set -eu
runs=${1:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -pthread "$root/tests/record/alloc_churn.c" -o "$work/alloc_churn"
gcc -O2 -pthread "$root/tests/record/threads.c" -o "$work/threads"
seq 1 2000000 | awk '{ print ($1 * 7919) % 2000003 " line " $1 }' > "$work/input.txt"

seconds() { # command... -> wall seconds of one run
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    awk "BEGIN { print $end - $start }"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

measure() { # name command...
    name=$1
    shift
    : > "$work/alone" && : > "$work/recorded"
    for _ in $(seq "$runs"); do
        seconds "$@" >> "$work/alone"
        seconds "$root/build/trimlab" record -o "$work/t.trace" -- "$@" >> "$work/recorded"
    done
    events=$("$root/build/trimlab" record -o "$work/t.trace" -- "$@" 2>&1 >/dev/null |
        sed -n 's/^trimlab: recorded \([0-9]*\) events.*/\1/p')
    alone=$(median < "$work/alone")
    recorded=$(median < "$work/recorded")
    printf '%-40s %8.3f %8.3f %6.2f %10s\n' "$name" "$alone" "$recorded" \
        "$(awk "BEGIN { print $recorded / $alone }")" "$events"
}

printf '%-40s %8s %8s %6s %10s\n' program alone recorded ratio events
measure "alloc_churn 10000000" "$work/alloc_churn" 10000000
measure "threads 4 500000" "$work/threads" 4 500000
measure "sort (2,000,000 lines)" sort -o "$work/sorted.txt" "$work/input.txt"
measure "python3 -c 1,000,000 strings of 600 B" python3 -c 'l = ["x" * 600 + str(i) for i in range(1000000)]'
measure "gzip -9 (2,000,000 lines)" gzip -9 -c "$work/input.txt"
