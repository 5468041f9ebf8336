#!/usr/bin/env bash
# Measures the SDK against the same calls written by hand, prints the tables, and writes
# them into the README's Performance section, with the date and the machine.
#
#   scripts/bench.sh                     # 30 rounds of 1000 calls per variant (a few minutes)
#   ROUNDS=40 BENCHTIME=2000x scripts/bench.sh
#
# Each SDK-against-by-hand benchmark runs its four variants (sdk, careful, bare, and the SDK
# on net/http: nethttp) in ROUNDS rounds within one process, the order rotated every round:
# many short rounds pair the variants under the same load of a shared machine; the NoNetwork
# ones run them over a transport that answers from memory (the client's work alone). benchratio
# reports the median of each and of the per-round ratios, with their spread. The other
# benchmarks run several times (-count), with their own sizes, and are reported as medians
# with their spread. The raw output goes to bench/bench.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-30}
benchtime=${BENCHTIME:-1000x}
mkdir -p bench
out=bench/bench.txt

{
  echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(go version) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs)"
  go test -run '^$' -bench '^Benchmark(TriggerFlow|GetFlowInstance)(Parallel|NoNetwork)?$' -benchmem -benchtime "$benchtime" . -args -rounds "$rounds"
  go test -run '^$' -bench 'Sign|DecodeEnvelope' -benchmem -count 5 ./internal/signing .
  go test -run '^$' -bench 'ServeTrigger|History|CatchUp|InstanceMemory|TokenRefresh|LargeFlow' -benchmem -count 3 ./refserver
} | tee "$out"

echo
head -1 "$out"
go run ./scripts/benchratio -readme README.md < "$out"
