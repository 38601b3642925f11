#!/usr/bin/env bash
# The network benchmark: every operation as a ratio to the channel's own limit (the baseline put and the baseline
# two-key transfer), in one run on the real network. Brings the network up (test-network/up.sh), deploys the
# benchmark's chaincode (chaincode-bench: the production contracts and the Baseline, never in the production jar),
# runs the workloads through org.postalfunds.client.bench.NetworkBench (module bench), and always tears the network down.
#
#   ./bench.sh                 # 16 and 64 in flight, each window 60 s or 5,000 tx after a 10 s warm-up (~25-30 min)
#   ./bench.sh --quick         # a few seconds per window: the smoke run (~4-6 min with set-up)
#   ./bench.sh --orderers 3    # three Raft orderers
#   ./bench.sh --batch-timeout 100ms --chaincode-jvm "-Xmx512m -XX:+UseParallelGC"   # tuning: the channel's batch
#                              # timeout and the chaincode service's JVM options instead of network/consortium.json's
#   ./bench.sh -- --concurrency 16,64,200 --workloads "baseline put,refill" --note "text for the report"
#
# Writes bench-results/<date>.json, <date>.md (the table), <date>-throughput.png and <date>-p99.png.
# POSTAL_PORT_OFFSET and POSTAL_NETWORK_STATE are passed on to the network scripts (two networks on one machine).
set -euo pipefail
root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root_dir"
export POSTAL_NETWORK_STATE="${POSTAL_NETWORK_STATE:-$root_dir/.network}"

quick=()
orderers=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick); shift ;;
    --orderers) orderers="${2:?--orderers needs 1 or 3}"; shift 2 ;;
    --batch-timeout) export POSTAL_BATCH_TIMEOUT="${2:?--batch-timeout needs a duration like 100ms}"; shift 2 ;;
    --chaincode-jvm) export POSTAL_CHAINCODE_JVM_OPTIONS="${2:?--chaincode-jvm needs JVM options}"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'bench: %s\n' "$*"; }
started=$(date +%s)
say "building the benchmark's chaincode and driver (tests skipped)"
mvn -B -q -ntp -DskipTests -Dfuzz.skip=true -pl chaincode-bench,bench -am package 2>&1 | sed "s/\x1b\[[0-9;]*m//g"
# The driver's jar holds the whole client, the load driver and the network description reader.
classpath="bench/target/postal-bench.jar"

cleanup() {
  say "tearing the network down"
  test-network/down.sh 2>&1 | sed 's/^/  /' || true
}
trap cleanup EXIT

if [ -f "$POSTAL_NETWORK_STATE/network.json" ]; then
  say "a network is recorded in $POSTAL_NETWORK_STATE: taking it down first"
  test-network/down.sh 2>&1 | sed 's/^/  /'
fi
test-network/up.sh --orderers "$orderers" 2>&1 | grep -v 'cached in' | sed 's/^/  /'
test-network/deploy.sh chaincode-bench/target/chaincode-bench.jar 2>&1 | grep -v 'cached in' | sed 's/^/  /'

name="$(date -u +%Y-%m-%dT%H-%M-%SZ)${quick:+-quick}"
# The tuning in force goes into the report's header, beside the run's own note.
tuning="batch timeout $(jq -r .batchTimeout network/consortium.json)${POSTAL_BATCH_TIMEOUT:+ -> $POSTAL_BATCH_TIMEOUT}"
tuning+="; chaincode JVM ${POSTAL_CHAINCODE_JVM_OPTIONS:-$(jq -r .chaincode.jvmOptions network/consortium.json)}"
say "tuning: $tuning"
POSTAL_BENCH_TUNING="$tuning" java -Xms256m -Xmx1g -cp "$classpath" org.postalfunds.client.bench.NetworkBench \
  --network "$POSTAL_NETWORK_STATE/network.json" --out bench-results --name "$name" \
  "${quick[@]}" "${extra[@]}"
say "done in $(( $(date +%s) - started )) s: bench-results/$name.{json,md} and -throughput.png, -p99.png"
