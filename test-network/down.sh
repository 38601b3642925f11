#!/usr/bin/env bash
# Stops every process the network scripts started (by recorded pid: chaincode service, peers, orderers, CAs)
# and removes the generated state (.network/: crypto material, ledgers, logs). Clean when nothing runs.
#
#   test-network/down.sh [--keep-logs DIR]   (copies the logs to DIR first, e.g. for CI artefacts)
set -euo pipefail
SCRIPT_NAME=down
source "$(dirname "$0")/lib.sh"

keep_logs=""
[ "${1:-}" = "--keep-logs" ] && keep_logs=${2:?--keep-logs needs a folder}
if [ ! -d "$STATE" ]; then
  say "nothing to stop: no network state in $STATE"
  exit 0
fi
# The ports to check afterwards.
ports=$(jq -r '[.. | objects | to_entries[] | select(.key | test("[pP]ort$")) | .value] | unique | .[]' "$CONSORTIUM")
ports="$ports $(c .chaincode.serverAddress | sed 's/.*://')"
stopped=()
# Reverse start order: clients of a process go before it.
for f in "$PIDS"/chaincode*.pid "$PIDS"/peer0-*.pid "$PIDS"/orderer*.pid "$PIDS"/ca-*.pid "$PIDS"/*.pid; do
  [ -f "$f" ] || continue
  name=$(basename "$f" .pid)
  running "$name" && stopped+=("$name")
  stop "$name"
done
if [ -n "$keep_logs" ] && [ -d "$LOGS" ]; then mkdir -p "$keep_logs" && cp -r "$LOGS"/. "$keep_logs"/; fi
rm -rf "$STATE"
if [ ${#stopped[@]} -eq 0 ]; then say "no process was running; removed $STATE"; else say "stopped ${stopped[*]}; removed $STATE"; fi


# Nothing may be left listening on the network's ports.
left=()
for port in $ports; do port_free "$port" || left+=("$port"); done
[ ${#left[@]} -eq 0 ] || die "still listening after down: 127.0.0.1 ports ${left[*]}"
