#!/usr/bin/env bash
# Deploys the chaincode (the funds and secure-information contracts, one jar) as a chaincode service: packages
# a `ccaas` package naming the service's address, installs it on every peer, starts the service (the Java
# shim's server mode, over TLS), approves the definition for every organisation (endorsement policy and
# private data collections from network/) and commits it; then writes the ledger's consortium record
# (init-consortium.sh), without which the contract refuses every call.
#
#   test-network/deploy.sh [CHAINCODE_JAR]     (default: chaincode/target/chaincode.jar, the production chaincode)
#   test-network/deploy.sh chaincode-bench/target/chaincode-bench.jar   # the benchmarks': the same contracts + Baseline
#
# Idempotent: the same jar again changes nothing; a different jar becomes the next sequence, without a teardown.
set -euo pipefail
SCRIPT_NAME=deploy
source "$(dirname "$0")/lib.sh"
started=$(date +%s%N)
jar=${1:-$PROJECT_ROOT/chaincode/target/chaincode.jar}
[ -f "$jar" ] || die "no chaincode jar at $jar: build it with 'mvn -pl chaincode -am package -DskipTests'"
[ -f "$STATE/network.json" ] || die "no network in $STATE: run test-network/up.sh first"
fabric_home
for o in $PEER_ORGS; do running "peer0-$o" || die "the peer of $o is not running: run test-network/up.sh"; done

name=$(c .chaincode.name)
address=$(c .chaincode.serverAddress)
policy=$(c .chaincode.endorsementPolicy)
collections="$PROJECT_ROOT/network/$(c .chaincode.collectionsConfig)"
# The version is the jar's content: a rebuilt jar with other bytes is a new version, the same bytes are not.
version=$(sha256sum "$jar" | cut -c1-12)
label="${name}_${version}"
dir="$STATE/chaincode"
mkdir -p "$dir"

# --- The package: where the service listens and the TLS root the peers check it against ------------------
pkg="$dir/$label.tar.gz"
if [ ! -f "$pkg" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  jq -n --arg a "$address" --rawfile root "$(org_dir DataCenter)/ca-cert.pem" \
    '{ address: $a, dial_timeout: "10s", tls_required: true, client_auth_required: false, root_cert: $root }' \
    > "$work/connection.json"
  jq -n --arg l "$label" '{ type: "ccaas", label: $l }' > "$work/metadata.json"
  # Fixed owner and time: the same jar always gives the same package id.
  tar --owner=0 --group=0 --mtime=@0 -C "$work" -czf "$work/code.tar.gz" connection.json
  tar --owner=0 --group=0 --mtime=@0 -C "$work" -czf "$pkg" metadata.json code.tar.gz
fi
package_id=$(FABRIC_CFG_PATH="$STATE/config" peer lifecycle chaincode calculatepackageid "$pkg")

for o in $PEER_ORGS; do
  (
    peer_env "$o"
    if ! peer lifecycle chaincode queryinstalled 2>/dev/null | grep -q "Package ID: $package_id,"; then
      peer lifecycle chaincode install "$pkg" >>"$LOGS/peer-cli.log" 2>&1 || { tail -5 "$LOGS/peer-cli.log" >&2; exit 1; }
    fi
  ) || die "could not install $label on the peer of $o"
done
say "package $package_id installed on every peer"

# --- The chaincode service: one JVM, sized for 2 cores, serving every peer --------------------------------
cp -n "$jar" "$dir/$label.jar" 2>/dev/null || true
if running chaincode && [ "$(cat "$dir/service.package" 2>/dev/null)" != "$package_id" ]; then
  say "replacing the chaincode service of $(cat "$dir/service.package")"
  stop chaincode
fi
if ! running chaincode; then
  port=${address##*:}
  require_port_free "$port" "the chaincode service"
  tls="$(org_dir DataCenter)/chaincode-service/tls"
  # The shim reads the *_PATH files as base64 of the PEM (the form a peer-launched chaincode gets), the
  # *_FILE ones as PEM.
  base64 -w0 "$tls/server.key" > "$tls/server.key.b64"; base64 -w0 "$tls/server.crt" > "$tls/server.crt.b64"
  # A clean environment (start does env -i): a CORE_PEER_* left from a peer CLI shell would confuse the shim.
  # The shim and its contract router log three INFO lines per invocation (about 3 % of the service's CPU under
  # load, issue 17's profile); warnings and the contract's own log stay.
  # shellcheck disable=SC2086
  start chaincode CHAINCODE_SERVER_ADDRESS="$address" CORE_CHAINCODE_ID_NAME="$package_id" \
    CORE_PEER_TLS_ENABLED=true CORE_TLS_CLIENT_KEY_FILE="$tls/server.key" CORE_TLS_CLIENT_CERT_FILE="$tls/server.crt" \
    CORE_TLS_CLIENT_KEY_PATH="$tls/server.key.b64" CORE_TLS_CLIENT_CERT_PATH="$tls/server.crt.b64" \
    CORE_PEER_TLS_ROOTCERT_FILE="$(org_dir DataCenter)/ca-cert.pem" CORE_PEER_LOCALMSPID="$(org_field DataCenter .mspId)" \
    CORE_CHAINCODE_LOGGING_SHIM=WARNING \
    -- java $(c .chaincode.jvmOptions) -jar "$dir/$label.jar"
  echo "$package_id" > "$dir/service.package"
  for i in $(seq 1 600); do
    port_free "$port" || break
    running chaincode || { tail -20 "$LOGS/chaincode.log" >&2; die "the chaincode service stopped"; }
    sleep 0.1
  done
  port_free "$port" && { tail -20 "$LOGS/chaincode.log" >&2; die "the chaincode service does not listen on $address after 60 s"; }
  say "chaincode service listening on $address (pid $(pid_of chaincode))"
fi

# --- The definition: approved by every org, committed once; a new jar is the next sequence ---------------
committed=$(peer_env DataCenter; peer lifecycle chaincode querycommitted -C "$CHANNEL" -n "$name" -O json 2>/dev/null || echo '{}')
current_version=$(jq -r '.version // ""' <<<"$committed")
current_sequence=$(jq -r '.sequence // 0' <<<"$committed")
if [ "$current_version" = "$version" ]; then
  sequence=$current_sequence
  say "$name version $version is already committed (sequence $sequence)"
else
  sequence=$(( current_sequence + 1 ))
  # shellcheck disable=SC2046
  definition=(--channelID "$CHANNEL" --name "$name" --version "$version" --sequence "$sequence"
              --signature-policy "$policy" --collections-config "$collections")
  for o in $PEER_ORGS; do
    (
      peer_env "$o"
      # shellcheck disable=SC2046
      peer lifecycle chaincode approveformyorg $(orderer_tls_args) "${definition[@]}" --package-id "$package_id" \
        >>"$LOGS/peer-cli.log" 2>&1 || { tail -5 "$LOGS/peer-cli.log" >&2; exit 1; }
    ) || die "$o could not approve $name sequence $sequence"
  done
  peers=()
  for o in $PEER_ORGS; do peers+=(--peerAddresses "127.0.0.1:$(org_field "$o" .peer.port)" --tlsRootCertFiles "$(org_dir "$o")/ca-cert.pem"); done
  (
    peer_env DataCenter
    # shellcheck disable=SC2046
    peer lifecycle chaincode commit $(orderer_tls_args) "${definition[@]}" "${peers[@]}" \
      >>"$LOGS/peer-cli.log" 2>&1 || { tail -5 "$LOGS/peer-cli.log" >&2; exit 1; }
  ) || die "could not commit $name sequence $sequence"
  say "$name version $version committed as sequence $sequence"
fi

"$NETWORK_SCRIPTS/init-consortium.sh"

jq -n --arg name "$name" --arg version "$version" --argjson sequence "$sequence" --arg pkg "$package_id" \
  --arg address "$address" --arg jar "$jar" \
  '{ name: $name, version: $version, sequence: $sequence, packageId: $pkg, serviceAddress: $address, jar: $jar }' \
  > "$dir/deployed.json"
"$NETWORK_SCRIPTS/describe.sh" > "$STATE/network.json.tmp" && mv "$STATE/network.json.tmp" "$STATE/network.json"
say "deployed in $(( ($(date +%s%N) - started) / 1000000 )) ms"
