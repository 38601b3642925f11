#!/usr/bin/env bash
# The demo, from a fresh clone: builds the project, makes a SoftHSM2 token (the meters' PSD), starts the HSM
# bridge (the gatekeeper) as its own process over mutual TLS, and runs the PSD story: meters enrolled with keys
# made in the token, postage printed with a PSD-signed indicium as a Data Matrix, the indicium verified and a
# tampered one caught, a meter refused another meter's key. The indicium files land in demo-output/.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

test-network/install-packages.sh
echo "== Building (the first run downloads the Maven dependencies)"
# Quiet Maven still emits colour resets; strip them so the story reads cleanly (pipefail keeps its status).
mvn -B -q -ntp -DskipTests package 2>&1 | sed "s/\x1b\[[0-9;]*m//g"

work=$(mktemp -d -t postal-demo.XXXXXX)
bridge_pid=""
cleanup() {
  if [ -n "$bridge_pid" ] && kill -0 "$bridge_pid" 2>/dev/null; then
    kill "$bridge_pid"; wait "$bridge_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== A PKCS#11 token for the meters' PSD keys (SoftHSM2; PIN generated now, kept in an owner-only file)"
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
( umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$work/token.pin" )
softhsm2-util --init-token --free --label postal-demo --so-pin "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" \
  --pin "$(cat "$work/token.pin")" | sed 's/^/  /'

echo "== Certificates for the organisations and the bridge"
java -cp meter-client/target/postal.jar org.postalfunds.client.demo.PsdDemo prepare "$work"

echo "== Starting the HSM bridge"
java -jar hsm-bridge/target/hsm-bridge.jar --config "$work/bridge.properties" > "$work/bridge.log" 2>&1 &
bridge_pid=$!
endpoint=""
for _ in $(seq 1 150); do
  endpoint=$(sed -n 's/^psd-bridge listening on \([^ ]*\) .*/\1/p' "$work/bridge.log")
  [ -n "$endpoint" ] && break
  kill -0 "$bridge_pid" 2>/dev/null || { echo "the HSM bridge stopped:" >&2; cat "$work/bridge.log" >&2; exit 1; }
  sleep 0.2
done
[ -n "$endpoint" ] || { echo "the HSM bridge did not start within 30 s:" >&2; cat "$work/bridge.log" >&2; exit 1; }
echo "  $(grep '^psd-bridge listening' "$work/bridge.log") (pid $bridge_pid)"

java -cp meter-client/target/postal.jar org.postalfunds.client.demo.PsdDemo run "$work" "$endpoint" "$root/demo-output"

cat <<'MSG'

== The ledger
  Registering these meters, refilling them, transfers between them and the audit run on the Fabric channel
  "postal". This machine cannot build Fabric's binaries (the Go module proxy refuses the pinned release, see
  README.md, "Where things stand"), so that part of the demo waits for test-network/install-fabric.sh to succeed.
MSG
