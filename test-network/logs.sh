#!/usr/bin/env bash
# Shows the network's logs: without an argument the list and the last lines of each; with a process name
# (peer0-MailerA, orderer1, ca-DataCenter, chaincode) its log, followed with -f.
#
#   test-network/logs.sh [NAME] [-f]
set -euo pipefail
SCRIPT_NAME=logs
source "$(dirname "$0")/lib.sh"
[ -d "$LOGS" ] || die "no logs: no network in $STATE"
if [ $# -eq 0 ]; then
  for f in "$LOGS"/*.log; do echo "== $(basename "$f" .log) ($f)"; tail -3 "$f"; done
  exit 0
fi
f="$LOGS/$1.log"
[ -f "$f" ] || die "no log named $1; there are: $(cd "$LOGS" && ls | sed 's/\.log$//' | tr '\n' ' ')"
if [ "${2:-}" = "-f" ]; then exec tail -f "$f"; else cat "$f"; fi
