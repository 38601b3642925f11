#!/usr/bin/env bash
# The network benchmark: every operation as a ratio to the channel's own limit (the baseline put and the baseline
# two-key transfer), in one run on the real network. Brings the network up (test-network/up.sh), deploys the
# benchmark's chaincode (chaincode-bench: the production contracts and the Baseline, never in the production jar),
# runs the workloads through org.postalfunds.client.bench.NetworkBench (module bench), and always tears the network down.
#
#   ./bench.sh                 # 16 and 64 in flight, each window 60 s or 5,000 tx after a 10 s warm-up (~25-30 min)
#   ./bench.sh --quick         # a few seconds per window: the smoke run (~4-6 min with set-up)
#   ./bench.sh --orderers 3    # three Raft orderers
#   ./bench.sh --batch-timeout 250ms --chaincode-jvm "-Xmx512m -XX:+UseParallelGC"   # tuning: the channel's batch
#                              # timeout and the chaincode service's JVM options instead of network/consortium.json's
#   ./bench.sh -- --concurrency 16,64,200 --workloads "baseline put,refill" --note "text for the report"
#
# The issue's further parts, each behind an option after `--` (none runs by default; combine with --workloads to
# skip the nine default workloads):
#   --signing file,bridge      print + a transfer request on the pairs with file keys, then on as many pairs whose keys
#                              live in SoftHSM2 behind the HSM bridge (real bridge process, mutual TLS, keys made in
#                              the token, certificates from the orgs' Fabric CAs); reported as bridge ÷ file (>= 0.95).
#                              bench.sh then starts the bridge and its token under $POSTAL_NETWORK_STATE/bench-bridge
#                              (pid file beside the network's, so the report samples it) and stops it on exit.
#   --growth 10,100,1000       the pull transfer at 10, 100, 1,000 meters (enrolled over the CAs' REST API, parallel)
#   --seed-transfers 100000    ... and again after that many settled transfers (Seed contract, 500 per transaction)
#   --contention 64            64 meters in a ring, one client each, pull transfers to the next: MVCC conflict rate
#   e.g. ./bench.sh --quick -- --workloads "baseline put" --signing file,bridge --growth 10,100,1000 \
#            --seed-transfers 100000 --contention 64
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
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { printf 'bench: %s\n' "$*"; }
started=$(date +%s)
# The bridge is needed when --signing names it (after `--`, as NetworkBench reads it).
with_bridge=false
for ((i = 0; i < ${#extra[@]}; i++)); do
  if [ "${extra[$i]}" = "--signing" ] && [[ ",${extra[$((i + 1))]:-}," == *",bridge,"* ]]; then with_bridge=true; fi
done
modules=chaincode-bench,bench
$with_bridge && modules=$modules,hsm-bridge
say "building $modules (tests skipped)"
mvn -B -q -ntp -DskipTests -Dfuzz.skip=true -pl "$modules" -am package 2>&1 | sed "s/\x1b\[[0-9;]*m//g"
# The driver's jar holds the whole client, the load driver and the network description reader.
classpath="bench/target/postal-bench.jar"

bridge_dir="$POSTAL_NETWORK_STATE/bench-bridge"
bridge_pid_file="$POSTAL_NETWORK_STATE/pids/hsm-bridge.pid"
stop_bridge() {
  local pid
  pid=$(cat "$bridge_pid_file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    say "stopped the HSM bridge (pid $pid)"
  fi
  rm -f "$bridge_pid_file"
  rm -rf "$bridge_dir"
}

# start_bridge: a SoftHSM2 token of its own (PINs generated into owner-only files, never on a command line), the
# bridge's TLS server certificate and the data center operator's client certificate from DataCenter's Fabric CA
# (as demo.sh does), the bridge process on a free port; writes $bridge_dir/bridge.json for NetworkBench --bridge.
# Idempotent: a bridge already running under this network state is kept.
start_bridge() {
  local pid
  pid=$(cat "$bridge_pid_file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ -f "$bridge_dir/bridge.json" ]; then
    say "the HSM bridge runs already (pid $pid)"; return 0
  fi
  stop_bridge
  local net="$POSTAL_NETWORK_STATE/network.json"
  org() { jq -r --arg o "$1" ".organisations[] | select(.name == \$o) | $2" "$net"; }
  mkdir -p "$bridge_dir/tokens" "$bridge_dir/tls"
  chmod 700 "$bridge_dir"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$bridge_dir/tokens" > "$bridge_dir/softhsm2.conf"
  export SOFTHSM2_CONF="$bridge_dir/softhsm2.conf"
  ( umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$bridge_dir/token.pin"; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$bridge_dir/so.pin" )
  hsm-bridge/init-token.sh postal-bench "$bridge_dir/so.pin" "$bridge_dir/token.pin" | sed 's/^/  /'
  local ca_client
  ca_client="$(jq -r .fabricHome "$net")/bin/fabric-ca-client"
  issue_tls() { # name, type, hosts: registered at DataCenter's CA (type becomes the OU), enrolled with the tls profile
    local name=$1 type=$2 hosts=$3 secret home="$bridge_dir/ca-clients/$1"
    secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    FABRIC_CA_CLIENT_HOME=$(org DataCenter .ca.registrarHome) FABRIC_CA_CLIENT_ID_SECRET=$secret \
      "$ca_client" register --id.name "$name" --id.type "$type" -u "$(org DataCenter .ca.url)" \
        --tls.certfiles "$(org DataCenter .ca.tlsCertificate)" --caname "$(org DataCenter .ca.name)" >>"$bridge_dir/ca-client.log" 2>&1
    FABRIC_CA_CLIENT_HOME=$home FABRIC_CA_CLIENT_URL="https://$name:$secret@$(org DataCenter .ca.url | sed 's|https://||')" \
      "$ca_client" enroll -M "$home/msp" --enrollment.profile tls --csr.hosts "$hosts" \
        --tls.certfiles "$(org DataCenter .ca.tlsCertificate)" --caname "$(org DataCenter .ca.name)" >>"$bridge_dir/ca-client.log" 2>&1
    cp "$home"/msp/signcerts/cert.pem "$bridge_dir/tls/$name.pem"
    cp "$home"/msp/keystore/*_sk "$bridge_dir/tls/$name.key"
    chmod 600 "$bridge_dir/tls/$name.key"
  }
  issue_tls "psd-bridge-$$" client "psd-bridge,127.0.0.1,localhost"
  issue_tls "bench-operator-$$" operator "bench-operator"
  # The bridge accepts the TLS client certificates of every organisation's CA (each meter's own, from its owner's CA).
  jq -r '.organisations[] | select(.ca != null) | .ca.tlsCertificate' "$net" | xargs cat > "$bridge_dir/tls/client-cas.pem"
  local datacenter_ca_dn port=""
  datacenter_ca_dn=$(openssl x509 -noout -subject -nameopt RFC2253 -in "$(org DataCenter .ca.tlsCertificate)" | sed 's/^subject=//')
  # Port 0: the bridge binds a free port and names it in its "listening" line (a fixed port could be another
  # network's, whatever its offset).
  cat > "$bridge_dir/bridge.properties" <<PROPS
bridge.host = 127.0.0.1
bridge.port = 0
tls.certificateFile = tls/psd-bridge-$$.pem
tls.privateKeyFile = tls/psd-bridge-$$.key
tls.clientCaFile = tls/client-cas.pem
token.label = postal-bench
token.pinFile = token.pin
access.operatorIssuers = $datacenter_ca_dn
audit.file = audit.log
PROPS
  java --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED -Xmx256m \
    -jar hsm-bridge/target/hsm-bridge.jar --config "$bridge_dir/bridge.properties" > "$bridge_dir/bridge.log" 2>&1 &
  echo $! > "$bridge_pid_file"
  for _ in $(seq 1 600); do
    port=$(sed -n 's/^psd-bridge listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$bridge_dir/bridge.log")
    [ -n "$port" ] && break
    kill -0 "$(cat "$bridge_pid_file")" 2>/dev/null || { echo "bench: the HSM bridge stopped:" >&2; cat "$bridge_dir/bridge.log" >&2; exit 1; }
    sleep 0.2
  done
  [ -n "$port" ] || { echo "bench: the HSM bridge did not start within 120 s:" >&2; cat "$bridge_dir/bridge.log" >&2; exit 1; }
  jq -n --arg port "$port" --arg ca "$(org DataCenter .ca.tlsCertificate)" --arg c "tls/bench-operator-$$.pem" \
    --arg k "tls/bench-operator-$$.key" '{ host: "127.0.0.1", port: ($port | tonumber), serverName: "psd-bridge",
      trustedCertificates: $ca, operatorCertificate: $c, operatorKey: $k }' > "$bridge_dir/bridge.json"
  say "HSM bridge on 127.0.0.1:$port (pid $(cat "$bridge_pid_file")), token postal-bench in $bridge_dir/tokens"
}

cleanup() {
  $with_bridge && stop_bridge
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
$with_bridge && start_bridge

name="$(date -u +%Y-%m-%dT%H-%M-%SZ)${quick:+-quick}"
# The tuning in force goes into the report's header, beside the run's own note.
tuning="batch timeout $(jq -r .batchTimeout network/consortium.json)${POSTAL_BATCH_TIMEOUT:+ -> $POSTAL_BATCH_TIMEOUT}"
tuning+="; chaincode JVM ${POSTAL_CHAINCODE_JVM_OPTIONS:-$(jq -r .chaincode.jvmOptions network/consortium.json)}"
say "tuning: $tuning"
POSTAL_BENCH_TUNING="$tuning" java -Xms256m -Xmx1g -cp "$classpath" org.postalfunds.client.bench.NetworkBench \
  --network "$POSTAL_NETWORK_STATE/network.json" --out bench-results --name "$name" \
  "${quick[@]}" "${extra[@]}"
say "done in $(( $(date +%s) - started )) s: bench-results/$name.{json,md} and -throughput.png, -p99.png"
