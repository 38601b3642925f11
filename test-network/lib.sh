# Shared by the network scripts (sourced, not run): where things are, the consortium description, and small
# helpers to start, find and stop the processes a script started.
# shellcheck shell=bash

NETWORK_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT_ROOT=$(cd "$NETWORK_SCRIPTS/.." && pwd)
CONSORTIUM="$PROJECT_ROOT/network/consortium.json"
# Everything generated at run time (crypto material, ledgers, logs, pids) lives here and nowhere else.
STATE="${POSTAL_NETWORK_STATE:-$PROJECT_ROOT/.network}"
PIDS="$STATE/pids"
LOGS="$STATE/logs"

# Fabric's log format without colour codes: the logs are files.
LOG_FORMAT='%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x} %{message}'

say() { echo "${SCRIPT_NAME:-network}: $*" >&2; }
die() { say "$*"; exit 1; }

command -v jq >/dev/null || die "'jq' is not on PATH: run test-network/install-packages.sh"
[ -f "$CONSORTIUM" ] || die "the consortium description $CONSORTIUM is missing"
# POSTAL_PORT_OFFSET=N shifts every port of the description by N, so that a second network (another clone, a
# second state folder) can run beside the first on the same machine.
if [ -n "${POSTAL_PORT_OFFSET:-}" ] && [ "${POSTAL_PORT_OFFSET}" != 0 ]; then
  [[ "$POSTAL_PORT_OFFSET" =~ ^[0-9]{1,5}$ ]] || die "POSTAL_PORT_OFFSET must be a whole number, not $POSTAL_PORT_OFFSET"
  shifted="${TMPDIR:-/tmp}/postal-consortium-$(id -u)-offset-$POSTAL_PORT_OFFSET.json"
  jq --argjson off "$POSTAL_PORT_OFFSET" '
      walk(if type == "object" then with_entries(if (.key | test("[pP]ort$")) and (.value | type) == "number"
                                                 then .value += $off else . end) else . end)
      | .chaincode.serverAddress |= (split(":") | "\(.[0]):\((.[1] | tonumber) + $off)")' \
    "$CONSORTIUM" > "$shifted.$$" && mv "$shifted.$$" "$shifted"
  CONSORTIUM=$shifted
fi

# Tuning without editing the description (the benchmark's before/after runs): POSTAL_BATCH_TIMEOUT (e.g. 100ms) and
# POSTAL_CHAINCODE_JVM_OPTIONS replace the description's batchTimeout and chaincode.jvmOptions for this network.
if [ -n "${POSTAL_BATCH_TIMEOUT:-}" ] || [ -n "${POSTAL_CHAINCODE_JVM_OPTIONS:-}" ]; then
  [ -z "${POSTAL_BATCH_TIMEOUT:-}" ] || [[ "$POSTAL_BATCH_TIMEOUT" =~ ^[0-9]{1,5}(ms|s)$ ]] \
    || die "POSTAL_BATCH_TIMEOUT must be a duration like 100ms or 2s, not $POSTAL_BATCH_TIMEOUT"
  tuned="${TMPDIR:-/tmp}/postal-consortium-$(id -u)-tuned-$(printf '%s|%s|%s' "$CONSORTIUM" "${POSTAL_BATCH_TIMEOUT:-}" \
    "${POSTAL_CHAINCODE_JVM_OPTIONS:-}" | sha256sum | cut -c1-12).json"
  jq --arg timeout "${POSTAL_BATCH_TIMEOUT:-}" --arg jvm "${POSTAL_CHAINCODE_JVM_OPTIONS:-}" '
      (if $timeout != "" then .batchTimeout = $timeout else . end)
      | (if $jvm != "" then .chaincode.jvmOptions = $jvm else . end)' "$CONSORTIUM" > "$tuned.$$" && mv "$tuned.$$" "$tuned"
  CONSORTIUM=$tuned
fi

# Reads the consortium description: c '.channel'
c() { jq -r "$@" "$CONSORTIUM"; }
CHANNEL=$(c .channel)
PEER_ORGS=$(c '.peerOrgs[].name')

# The Fabric binaries: built (or found cached) by install-fabric.sh.
fabric_home() {
  if [ -z "${POSTAL_FABRIC_HOME:-}" ]; then
    POSTAL_FABRIC_HOME=$("$NETWORK_SCRIPTS/install-fabric.sh" | tail -1)
  fi
  [ -x "$POSTAL_FABRIC_HOME/bin/peer" ] || die "no peer binary in $POSTAL_FABRIC_HOME/bin: run test-network/install-fabric.sh"
  export POSTAL_FABRIC_HOME
  export PATH="$POSTAL_FABRIC_HOME/bin:$PATH"
}

org_json() { jq -c --arg o "$1" '(.peerOrgs[] | select(.name == $o)), (.ordererOrg | select(.name == $o))' "$CONSORTIUM"; }
org_field() { org_json "$1" | jq -r "$2"; }
orderer_count() { echo "${POSTAL_ORDERERS:-$(cat "$STATE/orderer-count" 2>/dev/null || c .ordererOrg.defaultNodeCount)}"; }
orderer_names() { c ".ordererOrg.nodes[0:$(orderer_count)][].name"; }
orderer_field() { jq -r --arg n "$1" ".ordererOrg.nodes[] | select(.name == \$n) | $2" "$CONSORTIUM"; }

# Folders of the generated material (one layout, read by the scripts and by the Java tests through network.json).
org_dir() { echo "$STATE/orgs/$1"; }
node_dir() { echo "$STATE/orgs/$1/$2"; }          # org, node name (peer0, orderer1): msp/ and tls/
admin_msp() { echo "$STATE/orgs/$1/users/admin/msp"; }

pid_of() { cat "$PIDS/$1.pid" 2>/dev/null || true; }
running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# port_free 7050: nothing listens on 127.0.0.1:7050
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_port_free() {
  port_free "$1" || die "port 127.0.0.1:$1 ($2) is busy: another process listens there ($(busy_port_owner "$1")); stop it or change network/consortium.json"
}
busy_port_owner() { (command -v ss >/dev/null && ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -1) || true; }

wait_port() { # port, what, seconds
  local i
  for i in $(seq 1 $(( ${3:-30} * 10 ))); do
    port_free "$1" || return 0
    sleep 0.1
  done
  return 1
}

# start NAME LOG-ENV... -- COMMAND...: runs COMMAND in the background with a clean environment plus the given
# variables, records its pid, and appends its output to logs/NAME.log.
start() {
  local name=$1; shift
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  mkdir -p "$PIDS" "$LOGS"
  if running "$name"; then say "$name already running (pid $(pid_of "$name"))"; return 0; fi
  # setsid: the process outlives this script and gets its own process group, so down.sh can stop it alone.
  env -i PATH="$PATH" HOME="$HOME" "${envs[@]}" setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name.pid"
}

# stop NAME: TERM, then KILL after 10 s.
stop() {
  local name=$1 p i
  p=$(pid_of "$name")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { say "$name (pid $p) did not stop on TERM; killing it"; kill -KILL "$p" 2>/dev/null || true; }
  fi
  rm -f "$PIDS/$name.pid"
}

# wait_log NAME PATTERN SECONDS: waits for PATTERN in the process's log; fails early if the process died.
wait_log() {
  local name=$1 pattern=$2 seconds=${3:-30} i
  for i in $(seq 1 $(( seconds * 10 ))); do
    grep -q -- "$pattern" "$LOGS/$name.log" 2>/dev/null && return 0
    running "$name" || { say "$name stopped; the end of its log:"; tail -20 "$LOGS/$name.log" >&2; return 1; }
    sleep 0.1
  done
  say "$name: no '$pattern' in its log within $seconds s; the end of its log:"; tail -20 "$LOGS/$name.log" >&2
  return 1
}

# wait_log_since NAME BYTES PATTERN SECONDS: as wait_log, but only in what the log gained after its first BYTES bytes.
wait_log_since() {
  local name=$1 mark=$2 pattern=$3 seconds=${4:-30} i
  for i in $(seq 1 $(( seconds * 10 ))); do
    tail -c +"$(( mark + 1 ))" "$LOGS/$name.log" 2>/dev/null | grep -q -- "$pattern" && return 0
    running "$name" || { say "$name stopped; the end of its log:"; tail -20 "$LOGS/$name.log" >&2; return 1; }
    sleep 0.1
  done
  say "$name: no '$pattern' in its log since byte $mark within $seconds s; the end of its log:"; tail -20 "$LOGS/$name.log" >&2
  return 1
}

wait_healthy() { # name, operations port
  local i
  for i in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$2/healthz")" = 200 ] && return 0
    running "$1" || { say "$1 stopped; the end of its log:"; tail -20 "$LOGS/$1.log" >&2; return 1; }
    sleep 0.1
  done
  say "$1: /healthz on 127.0.0.1:$2 is not 200 after 30 s"; return 1
}

# Every process the network runs, in start order: name and operations port.
network_processes() {
  local o
  for o in Orderer $PEER_ORGS; do echo "ca-$o $(org_field "$o" .ca.operationsPort)"; done
  for o in $(orderer_names); do echo "$o $(orderer_field "$o" .operationsPort)"; done
  for o in $PEER_ORGS; do echo "peer0-$o $(org_field "$o" .peer.operationsPort)"; done
}

# peer CLI environment of an org's admin, talking to the org's peer.
peer_env() {
  local org=$1
  export FABRIC_CFG_PATH="$STATE/config"
  export FABRIC_LOGGING_SPEC="grpc=error:warning"
  export CORE_PEER_TLS_ENABLED=true
  export CORE_PEER_LOCALMSPID; CORE_PEER_LOCALMSPID=$(org_field "$org" .mspId)
  export CORE_PEER_MSPCONFIGPATH; CORE_PEER_MSPCONFIGPATH=$(admin_msp "$org")
  export CORE_PEER_ADDRESS; CORE_PEER_ADDRESS="127.0.0.1:$(org_field "$org" .peer.port)"
  export CORE_PEER_TLS_ROOTCERT_FILE; CORE_PEER_TLS_ROOTCERT_FILE="$(org_dir "$org")/ca-cert.pem"
  export CORE_PEER_TLS_SERVERHOSTOVERRIDE=""
}
orderer_tls_args() {
  local first; first=$(orderer_names | head -1)
  echo "-o 127.0.0.1:$(orderer_field "$first" .port) --tls --cafile $(org_dir Orderer)/ca-cert.pem"
}
