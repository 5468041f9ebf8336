#!/usr/bin/env bash
# Runs the benchmarks enough times for stable medians and prints the SDK/by-hand table.
#
#   scripts/bench.sh                 # 10 runs of 1s each (a few minutes)
#   COUNT=20 BENCHTIME=2s scripts/bench.sh
#
# The raw output goes to bench/bench.txt (benchstat reads it:
# go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench/bench.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

count=${COUNT:-10}
benchtime=${BENCHTIME:-1s}
mkdir -p bench
out=bench/bench.txt

{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go version) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs)"
  go test -run '^$' -bench . -benchmem -count "$count" -benchtime "$benchtime" . ./refserver
} | tee "$out"

echo
go run ./scripts/benchratio < "$out"
