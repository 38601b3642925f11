#!/usr/bin/env bash
# Contract cost benchmark: what each postal function costs per transaction against the baseline write, a distributor
# serving 100 recipients in one block, and pull-transfer cost at 10/100/1,000 meters and with 100,000 settled
# transfers on the ledger. Real contract, in-memory ledger that validates like a peer; no Fabric network.
# Prints a table; writes chaincode-bench/target/bench/contract-cost.json, contract-cost.png and contract-growth.png.
#
#   chaincode-bench/bench.sh            # full run, about 2-3 minutes on 2 cores
#   chaincode-bench/bench.sh --smoke    # the few-second pass the default test run does
set -euo pipefail
root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
full=true
[[ "${1:-}" == "--smoke" ]] && full=false
cd "$root_dir"
mvn -B -ntp -q -pl chaincode-bench -am test -Dtest='ContractCostBenchmarkTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.skip=true -Dbench.full="$full" 2>&1 | grep -v 'you must not use this library' || true
test -s chaincode-bench/target/bench/contract-cost.json || { echo "bench: no report written" >&2; exit 1; }
echo "bench: chaincode-bench/target/bench/contract-cost.json, contract-cost.png, contract-growth.png"
