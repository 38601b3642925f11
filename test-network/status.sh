#!/usr/bin/env bash
# One line per network process: pid, whether it runs, its /healthz answer, its resident memory.
# Exit code 0 when everything runs and is healthy, 1 otherwise (3 when there is no network).
set -euo pipefail
SCRIPT_NAME=status
source "$(dirname "$0")/lib.sh"
[ -d "$PIDS" ] || { say "no network in $STATE"; exit 3; }
bad=0
printf '%-22s %8s %-8s %-8s %8s\n' process pid state healthz rss
row() { # name, operations port (or "-")
  local name=$1 ops=$2 p state health rss
  p=$(pid_of "$name")
  if running "$name"; then state=running; rss="$(( $(awk '/VmRSS/ {print $2}' "/proc/$p/status") / 1024 )) MB"; else state=stopped; rss=-; bad=1; fi
  health=-
  if [ "$ops" != - ]; then
    health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ops/healthz" || true)
    [ "$health" = 200 ] || bad=1
  fi
  printf '%-22s %8s %-8s %-8s %8s\n' "$name" "${p:--}" "$state" "$health" "$rss"
}
while read -r name ops; do row "$name" "$ops"; done < <(network_processes)
[ -f "$PIDS/chaincode.pid" ] && row chaincode -
# The channel as each running orderer serves it (participation API): a node behind or not serving it shows here.
if [ -f "$(org_dir Orderer)/users/admin/tls/server.key" ] && (fabric_home) 2>/dev/null; then
  fabric_home
  for name in $(orderer_names); do
    running "$name" || continue
    answer=$(osnadmin channel list --channelID "$CHANNEL" --orderer-address "127.0.0.1:$(orderer_field "$name" .adminPort)" \
      --ca-file "$(org_dir Orderer)/ca-cert.pem" --client-cert "$(org_dir Orderer)/users/admin/tls/server.crt" \
      --client-key "$(org_dir Orderer)/users/admin/tls/server.key" 2>/dev/null || true)
    served=$(sed -n '/^{/,$p' <<<"$answer" | jq -r '"\(.status) height \(.height)"' 2>/dev/null || true)
    printf 'channel %s on %s: %s\n' "$CHANNEL" "$name" "${served:-not served}"
  done
fi
exit $bad
