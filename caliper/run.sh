#!/usr/bin/env bash
# The put-vs-refill comparison driven by Hyperledger Caliper 0.6.0 (an outside load generator, Node), and by the
# project's own driver (NetworkBench, Java) on the same network in the same run, so that Fabric users can check our
# figures with the tool they know.
#
#   caliper/run.sh                       # loads 16 and 64, 60 s rounds after a 10 s warm-up (~12 min with set-up)
#   caliper/run.sh --quick               # 10 s rounds, 3 s warm-up: the smoke run (~6 min)
#   caliper/run.sh --loads 16,64,200 --duration 60 --note "text for the report"
#
# Brings the network up (test-network/up.sh) with the benchmark's chaincode (chaincode-bench: the production contracts
# and the Baseline), enrols the refill meters at their owners' Fabric CAs, writes Caliper's network and benchmark
# configuration from the network description, runs Caliper with the peer gateway (--caliper-fabric-gateway-enabled),
# then NetworkBench (module bench) for the same two workloads, and always tears the network down. Writes bench-results/<date>-caliper.md (both drivers side by side) and keeps Caliper's own report.html and
# log beside it. POSTAL_PORT_OFFSET and POSTAL_NETWORK_STATE are passed on to the network scripts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export POSTAL_NETWORK_STATE="${POSTAL_NETWORK_STATE:-$root/.network}"
work="$root/caliper/.work"

duration=60 warmup=10 loads=16,64 note=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) duration=10; warmup=3; shift ;;
    --duration) duration="${2:?--duration needs seconds}"; shift 2 ;;
    --loads) loads="${2:?--loads needs a list like 16,64}"; shift 2 ;;
    --note) note="${2:?--note needs text}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "caliper: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$duration" =~ ^[0-9]+$ && "$duration" -ge 5 ]] || { echo "caliper: --duration must be at least 5 s" >&2; exit 2; }
[[ "$loads" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "caliper: --loads must be numbers separated by commas" >&2; exit 2; }
IFS=, read -r -a load_list <<<"$loads"
max_load=$(printf '%s\n' "${load_list[@]}" | sort -n | tail -1)
[ "$max_load" -le 400 ] || { echo "caliper: a load above 400 in flight is beyond this machine" >&2; exit 2; }

say() { printf 'caliper: %s\n' "$*"; }
started=$(date +%s)
name="$(date -u +%Y-%m-%dT%H-%M-%SZ)-caliper"
mkdir -p "$work" bench-results

say "building the benchmark's chaincode and driver (tests skipped)"
mvn -B -q -ntp -DskipTests -Dfuzz.skip=true -pl chaincode-bench,bench -am package 2>&1 | sed "s/\x1b\[[0-9;]*m//g"

# Caliper and its Fabric binding, installed from the committed lock into caliper/.work (git-ignored), so that the
# tracked package files never change; `caliper bind` adds nothing the lock does not already pin.
node_dir="$work/node"
mkdir -p "$node_dir"
lock_sum=$(sha256sum caliper/package-lock.json | cut -c1-16)
if [ "$(cat "$node_dir/.installed" 2>/dev/null)" != "$lock_sum" ]; then
  say "installing Caliper 0.6.0 from caliper/package-lock.json (npm ci)"
  cp caliper/package.json caliper/package-lock.json "$node_dir/"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  (cd "$node_dir" && npx caliper bind --caliper-bind-sut fabric:2.4 >/dev/null 2>&1)
  echo "$lock_sum" >"$node_dir/.installed"
fi
caliper="$node_dir/node_modules/.bin/caliper"

cleanup() {
  say "tearing the network down"
  test-network/down.sh 2>&1 | sed 's/^/  /' || true
}
trap cleanup EXIT
if [ -f "$POSTAL_NETWORK_STATE/network.json" ]; then
  say "a network is recorded in $POSTAL_NETWORK_STATE: taking it down first"
  test-network/down.sh 2>&1 | sed 's/^/  /'
fi
test-network/up.sh 2>&1 | grep -v 'cached in' | sed 's/^/  /'
# The benchmark's chaincode: the production contracts and the Baseline the put rounds call (Baseline:write).
test-network/deploy.sh chaincode-bench/target/chaincode-bench.jar 2>&1 | grep -v 'cached in' | sed 's/^/  /'

network="$POSTAL_NETWORK_STATE/network.json"
org() { jq -r --arg o "$1" ".organisations[] | select(.name == \$o) | $2" "$network"; }
chaincode=$(jq -r .chaincodeName "$network")
channel=$(jq -r .channel "$network")
ca_client="$(jq -r .fabricHome "$network")/bin/fabric-ca-client"

# Refill meters: twice the largest load (each Caliper worker keeps its own half, never two refills of one meter in
# flight), at least 32, owned by MailerA and MailerB in turn. Each is registered at its owner's Fabric CA and
# enrolled there (a P-256 key and a CA-issued certificate); secrets travel in the environment, not on command lines.
meters=$(( max_load * 2 > 32 ? max_load * 2 : 32 ))
say "enrolling $meters refill meters at the MailerA and MailerB Fabric CAs"
rm -rf "$work/meters" && mkdir -p "$work/meters"
run_id=$(date +%s | tail -c 7)
echo '[]' >"$work/meters.json"
for i in $(seq 0 $((meters - 1))); do
  o=$([ $((i % 2)) -eq 0 ] && echo MailerA || echo MailerB)
  id=$(printf 'cal%s-%03d' "$run_id" "$i")
  secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  ca_url=$(org "$o" .ca.url); ca_host=${ca_url#https://}
  FABRIC_CA_CLIENT_ID_SECRET="$secret" "$ca_client" register --home "$(org "$o" .ca.registrarHome)" -u "$ca_url" \
    --caname "$(org "$o" .ca.name)" --tls.certfiles "$(org "$o" .ca.tlsCertificate)" \
    --id.name "$id" --id.type client >/dev/null 2>"$work/meters/$id.log"
  FABRIC_CA_CLIENT_URL="https://$id:$secret@$ca_host" "$ca_client" enroll --home "$work/meters/$id" \
    --caname "$(org "$o" .ca.name)" --tls.certfiles "$(org "$o" .ca.tlsCertificate)" >/dev/null 2>>"$work/meters/$id.log"
  jq --arg m "$id" --arg msp "$(org "$o" .mspId)" --arg c "$work/meters/$id/msp/signcerts/cert.pem" \
    '. + [{meterId: $m, ownerMsp: $msp, certificate: $c}]' "$work/meters.json" >"$work/meters.json.new"
  mv "$work/meters.json.new" "$work/meters.json"
done

# Caliper's network configuration (format 2.0.0): the DataCenter's client identity (the refill's only signer, and
# the baseline's too, so both workloads sign alike) and a connection profile for its gateway peer.
peer_name=$(org DataCenter .peer.name)
jq -n --arg name "$peer_name" --arg url "grpcs://$(org DataCenter .peer.endpoint)" \
  --arg tls "$(org DataCenter .tlsRootCertificate)" --arg sn "$(org DataCenter .peer.serverName)" \
  --arg msp "$(org DataCenter .mspId)" '{
    name: "postal-DataCenter", version: "1.0.0",
    client: { organization: "DataCenter" },
    organizations: { DataCenter: { mspid: $msp, peers: [ $name ] } },
    peers: { ($name): { url: $url, tlsCACerts: { path: $tls },
                        grpcOptions: { "ssl-target-name-override": $sn, hostnameOverride: $sn } } } }' \
  >"$work/connection-DataCenter.json"
cat >"$work/network.yaml" <<EOF
name: postal-funds-ledger
version: "2.0.0"
caliper:
  blockchain: fabric
channels:
  - channelName: $channel
    contracts:
      - id: $chaincode
organizations:
  - mspid: $(org DataCenter .mspId)
    identities:
      certificates:
        - name: datacenter
          clientPrivateKey:
            path: $(org DataCenter .admin.privateKey)
          clientSignedCert:
            path: $(org DataCenter .admin.certificate)
    connectionProfile:
      path: $work/connection-DataCenter.json
      discover: false
EOF

# The benchmark: a warm-up, then at each load the baseline put and the refill, one after the other, so that both
# see the same machine and the same ledger size.
{
  printf 'test:\n  name: postal-put-vs-refill\n  description: Baseline:write against refillMeter, fixed load\n'
  printf '  workers:\n    number: 2\n  rounds:\n'
  round() { # label, module, load, seconds
    printf '    - label: %s\n      txDuration: %s\n      rateControl:\n        type: fixed-load\n' "$1" "$4"
    printf '        opts:\n          transactionLoad: %s\n      workload:\n        module: %s\n' "$3" "$2"
    printf '        arguments:\n          chaincode: %s\n          identity: datacenter\n          meters: %s\n' \
      "$chaincode" "$work/meters.json"
  }
  round "warm-up put" "$root/caliper/workload/baseline-put.js" 16 "$warmup"
  round "warm-up refill" "$root/caliper/workload/refill.js" 16 "$warmup"
  for load in "${load_list[@]}"; do
    round "baseline put $load" "$root/caliper/workload/baseline-put.js" "$load" "$duration"
    round "refill $load" "$root/caliper/workload/refill.js" "$load" "$duration"
  done
} >"$work/benchmark.yaml"

say "Caliper: loads $loads, ${duration} s rounds after a ${warmup} s warm-up, 2 workers, through the DataCenter's gateway"
caliper_log="bench-results/$name.log"
# Caliper resolves its binding's packages from its own node_modules; run it from there.
(cd "$node_dir" && NODE_PATH="$node_dir/node_modules" "$caliper" launch manager \
  --caliper-workspace "$root/caliper" --caliper-networkconfig "$work/network.yaml" \
  --caliper-benchconfig "$work/benchmark.yaml" --caliper-flow-only-test --caliper-fabric-gateway-enabled \
  --caliper-report-path "$root/bench-results/$name.html") 2>&1 | sed "s/\x1b\[[0-9;]*m//g" >"$caliper_log"
if ! grep -q '| Name' "$caliper_log"; then
  tail -40 "$caliper_log" >&2
  echo "caliper: Caliper printed no summary (log: $caliper_log)" >&2
  exit 1
fi

say "the project's driver (NetworkBench): the same two workloads at the same loads on the same network"
java -Xms256m -Xmx1g -cp bench/target/postal-bench.jar org.postalfunds.client.bench.NetworkBench \
  --network "$network" --out bench-results --name "$name-driver" --workloads "baseline put,refill" \
  --concurrency "$loads" --duration "$duration" --warm-up "$warmup" --transactions 0 \
  --note "the project's driver beside Caliper (caliper/run.sh)${note:+: $note}" \
  2>&1 | grep --line-buffered -v '^\s*$' | sed 's/^/  /'

python3 caliper/report.py "$caliper_log" "bench-results/$name-driver.json" "$loads" "$duration" "$note" \
  >"bench-results/$name.md"
cat "bench-results/$name.md"
say "done in $(( $(date +%s) - started )) s: bench-results/$name.{md,log,html} and $name-driver.*"
