#!/usr/bin/env bash
# The demo, from a fresh clone: the consortium on real Fabric 3.1.5 peers, and the postal story told through the
# `postal` command line, every meter signature made inside a PKCS#11 token (SoftHSM2) behind the HSM bridge:
# meters enrolled at their owner's Fabric CA with a CSR signed in the token, a refill, postage printed and its
# indicium verified, a pull transfer, a push transfer, a distributor granting its recipients, an escrow expiring,
# secure information sealed to a PSD and received, then the auditor's conservation audit and chain verification.
# The network is torn down at the end (and on any failure). Indicia land in demo-output/.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
started=$(date +%s)

step() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/  /'; }

test-network/install-packages.sh | indent
step "Building (the first run downloads the Maven dependencies and builds Fabric from source, a few minutes)"
# Quiet Maven still emits colour resets; strip them so the story reads cleanly (pipefail keeps its status).
mvn -B -q -ntp -DskipTests package 2>&1 | sed "s/\x1b\[[0-9;]*m//g"
test-network/install-fabric.sh 2>&1 >/dev/null | indent

work=$(mktemp -d -t postal-demo.XXXXXX)
bridge_pid=""
cleanup() {
  if [ -n "$bridge_pid" ] && kill -0 "$bridge_pid" 2>/dev/null; then kill "$bridge_pid"; wait "$bridge_pid" 2>/dev/null || true; fi
  test-network/down.sh 2>&1 | indent
  rm -rf "$work"
}
trap cleanup EXIT

step "The network: one Fabric CA per organisation, a Raft orderer, four peers, channel postal, the chaincode service"
[ -f .network/network.json ] && test-network/down.sh 2>&1 | indent
test-network/up.sh 2>&1 | grep -v 'cached in' | indent
test-network/deploy.sh 2>&1 | grep -v 'cached in' | indent
net=.network/network.json
org() { jq -r --arg o "$1" ".organisations[] | select(.name == \$o) | $2" "$net"; }

step "The meters' PSD: a SoftHSM2 token (its PIN generated now, kept in an owner-only file)"
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
( umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$work/token.pin"; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$work/so.pin" )
# The PINs go from their files into softhsm2-util's prompt, never onto a command line (where ps would show them).
hsm-bridge/init-token.sh postal-demo "$work/so.pin" "$work/token.pin" | indent

step "TLS for the HSM bridge, issued by the organisations' Fabric CAs"
# enrol_tls ORG NAME SECRET HOSTS: a TLS key pair for NAME from ORG's CA, into $work/tls/NAME-tls.{pem,key}.
enrol_tls() {
  local o=$1 name=$2 secret=$3 hosts=$4 home="$work/ca-clients/$2"
  FABRIC_CA_CLIENT_HOME=$home FABRIC_CA_CLIENT_URL="https://$name:$secret@$(org "$o" .ca.url | sed 's|https://||')" \
    fabric-ca-client enroll -M "$home/msp" --enrollment.profile tls --csr.hosts "$hosts" \
      --tls.certfiles "$(org "$o" .ca.tlsCertificate)" --caname "$(org "$o" .ca.name)" >>"$work/ca-client.log" 2>&1 \
    || { tail -3 "$work/ca-client.log" >&2; exit 1; }
  mkdir -p "$work/tls"
  cp "$home"/msp/signcerts/cert.pem "$work/tls/$name-tls.pem"; cp "$home"/msp/keystore/*_sk "$work/tls/$name-tls.key"
  chmod 600 "$work/tls/$name-tls.key"
}
# issue_tls ORG NAME HOSTS TYPE: registers NAME (TYPE becomes the certificate's OU) at ORG's CA, then enrol_tls.
issue_tls() {
  local o=$1 name=$2 hosts=$3 type=$4 secret
  secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  FABRIC_CA_CLIENT_HOME=$(org "$o" .ca.registrarHome) FABRIC_CA_CLIENT_ID_SECRET=$secret \
    fabric-ca-client register --id.name "$name" --id.type "$type" -u "$(org "$o" .ca.url)" \
      --tls.certfiles "$(org "$o" .ca.tlsCertificate)" --caname "$(org "$o" .ca.name)" >>"$work/ca-client.log" 2>&1 \
    || { tail -3 "$work/ca-client.log" >&2; exit 1; }
  enrol_tls "$o" "$name" "$secret" "$hosts"
}
export PATH="$(jq -r .fabricHome "$net")/bin:$PATH"
issue_tls DataCenter psd-bridge "psd-bridge,127.0.0.1,localhost" client
issue_tls DataCenter datacenter-operator "datacenter-operator" operator
cat "$(org DataCenter .ca.tlsCertificate)" "$(org MailerA .ca.tlsCertificate)" "$(org MailerB .ca.tlsCertificate)" > "$work/tls/client-cas.pem"
echo "  the bridge's server certificate and the data center operator's client certificate, from the DataCenter CA"

step "Starting the HSM bridge (the gatekeeper) over mutual TLS"
datacenter_ca_dn=$(openssl x509 -noout -subject -nameopt RFC2253 -in "$(org DataCenter .ca.tlsCertificate)" | sed 's/^subject=//')
cat > "$work/bridge.properties" <<PROPS
bridge.host = 127.0.0.1
bridge.port = 0
tls.certificateFile = tls/psd-bridge-tls.pem
tls.privateKeyFile = tls/psd-bridge-tls.key
tls.clientCaFile = tls/client-cas.pem
token.label = postal-demo
token.pinFile = token.pin
access.operatorIssuers = $datacenter_ca_dn
audit.file = audit.log
PROPS
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
bridge_json() { # client name
  jq -n --arg port "${endpoint##*:}" --arg ca "$(org DataCenter .ca.tlsCertificate)" --arg c "$work/tls/$1-tls.pem" --arg k "$work/tls/$1-tls.key" \
    '{ host: "127.0.0.1", port: ($port | tonumber), serverName: "psd-bridge", trustedCertificates: $ca, clientCertificate: $c, clientKey: $k }'
}
bridge_json datacenter-operator > "$work/operator-bridge.json"

# The story's own output is enough: the libraries' INFO logging stays off, warnings still show.
printf 'handlers = java.util.logging.ConsoleHandler\n.level = WARNING\n' > "$work/logging.properties"
postal() { java -Djava.util.logging.config.file="$work/logging.properties" -jar "$root/meter-client/target/postal.jar" "$@"; }
profiles=.network/profiles
datacenter() { postal --profile "$profiles/DataCenter-admin.json" datacenter "$@"; }
auditor() { postal --profile "$profiles/PostalAuthority-admin.json" auditor "$@"; }
meter_profile() { # meter, org
  jq -n --arg m "$1" --argjson b "$(bridge_json "$1")" --slurpfile p "$profiles/$2-admin.json" \
    '$p[0] | del(.certificate, .privateKey) | . + { meterId: $m, hsmBridge: $b }' > "$work/$1.json"
}
meter() { local m=$1; shift; postal --profile "$work/$m.json" meter "$@"; }

step "Enrolment: each meter's two keys made in the token (signing; key agreement, attested by the signing key), its CSR signed there, its certificate from the owner's Fabric CA"
for m in meter-A1:MailerA meter-A2:MailerA meter-B1:MailerB; do
  id=${m%%:*}; o=${m#*:}; msp=$(org "$o" .mspId); registrar=$(org "$o" .ca.registrarHome)
  postal ca register-meter "$id" --fabric-ca "$(org "$o" .ca.url)" --fabric-ca-tls "$(org "$o" .ca.tlsCertificate)" \
    --ca-name "$(org "$o" .ca.name)" --registrar-certificate "$registrar/msp/signcerts/cert.pem" \
    --registrar-key "$(ls "$registrar"/msp/keystore/*_sk)" --secret-out "$work/$id.secret" | indent
  postal meter enrol "$id" --bridge "$work/operator-bridge.json" --owner-org "$o" --owner-msp "$msp" \
    --fabric-ca "$(org "$o" .ca.url)" --fabric-ca-tls "$(org "$o" .ca.tlsCertificate)" --ca-name "$(org "$o" .ca.name)" \
    --enrollment-secret-file "$work/$id.secret" --certificate-out "$work/$id.pem" \
    --key-agreement-certificate-out "$work/$id-key-agreement.pem" | indent
  # The meter client's own TLS key for the bridge (the client program's, on disk; the PSD key stays in the token).
  enrol_tls "$o" "$id" "$(cat "$work/$id.secret")" "$id"
  datacenter register "$id" --owner-msp "$msp" --max-balance 1000.00 --max-postage-per-piece 20.00 \
    --max-transfer 200.00 --certificate "$work/$id.pem" --key-agreement-certificate "$work/$id-key-agreement.pem" | indent
  meter_profile "$id" "$o"
done

step "Refill: the data center funds meter-A1 and meter-B1 (endorsed by DataCenter and the owner's peer)"
datacenter refill meter-A1 500.00 | indent
datacenter refill meter-B1 300.00 | indent

step "Postage: meter-A1 prints a piece; the PSD signs the indicium (a Data Matrix), the auditor verifies it"
mkdir -p demo-output
meter meter-A1 print-postage 1.25 --postal-code 10115 --country DE --out demo-output | indent
indicium=$(ls -t demo-output/meter-A1-*.json | head -1)
auditor verify-indicium "$indicium" | indent
sed 's/"amountMinorUnits":[0-9]*/"amountMinorUnits":99999/' "$indicium" > "$work/forged.json"
echo "  the same indicium with its amount changed to 999.99:"
if auditor verify-indicium "$work/forged.json" 2>&1 | indent; then echo "  a forged indicium was accepted" >&2; exit 1; fi

step "Pull transfer (Fig. 3a): meter-A2 requests 40.00 from meter-A1, A1 grants, A2 accepts"
meter meter-A1 authorise meter-A2 | indent
transfer=$(meter meter-A2 request meter-A1 40.00 --json | jq -r '.transfer.transferId')
echo "  request $transfer"
meter meter-A1 grant "$transfer" | indent
meter meter-A2 accept "$transfer" | indent

step "Push transfer (Fig. 3b): meter-A1 offers 25.00 to meter-B1 (another mailer), B1 acknowledges"
transfer=$(meter meter-A1 offer meter-B1 25.00 --json | jq -r '.transfer.transferId')
echo "  offer $transfer"
meter meter-B1 acknowledge "$transfer" | indent

step "Distributor (Fig. 4): meter-B1 grants its recipients automatically, within its policy"
meter meter-B1 authorise meter-A1 | indent
meter meter-B1 authorise meter-A2 | indent
cat > "$work/policy.json" <<'JSON'
{ "meterId": "meter-B1",
  "distributor": { "recipients": [ { "meterId": "meter-A1", "maxPerRequest": "30.00", "maxPerDay": "60.00" },
                                   { "meterId": "meter-A2", "maxPerRequest": "30.00", "maxPerDay": "60.00" } ],
                   "maxPerDay": "100.00", "escrowHours": 24, "denyOverLimit": true } }
JSON
# Idle for 30 s before it stops: on a loaded machine each request below is a JVM start of several seconds.
meter meter-B1 watch --policy "$work/policy.json" --checkpoint "$work/B1.checkpoint" --stop-when-idle 30 > "$work/watch.log" 2>&1 &
watch_pid=$!
sleep 3
t1=$(meter meter-A1 request meter-B1 20.00 --json | jq -r '.transfer.transferId')
t2=$(meter meter-A2 request meter-B1 15.00 --json | jq -r '.transfer.transferId')
t3=$(meter meter-A2 request meter-B1 45.00 --json | jq -r '.transfer.transferId')
wait "$watch_pid" || true
indent < "$work/watch.log"
meter meter-A1 accept "$t1" | indent
meter meter-A2 accept "$t2" | indent
meter meter-A2 transfer "$t3" | indent

step "Escrow with a deadline: meter-A1 offers 10.00 to meter-A2 for 20 s; nobody answers; the funds go back"
transfer=$(meter meter-A1 offer meter-A2 10.00 --deadline-seconds 20 --json | jq -r '.transfer.transferId')
echo "  offer $transfer, waiting for its deadline"
sleep 22
meter meter-A2 expire "$transfer" | indent

step "Secure information (Fig. 7): meter-A1 seals a rate table to meter-B1's key-agreement key; B1's bridge opens it beside its token"
printf '{"rateTable":"DE-2027-01","letter":"1.25","postcard":"0.95"}\n' > "$work/rates.json"
# An information transfer's id is derived from the sender and its request id (SealedPackage.transferIdFor).
request_id="info-demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
meter meter-A1 info-offer meter-B1 rate-table --file "$work/rates.json" --content-type application/json --request-id "$request_id" | indent
transfer="info-$(printf 'meter-A1\0%s' "$request_id" | sha256sum | cut -c1-40)"
echo "  offered $transfer (only its hash is public; the package sits in the MailerA-MailerB private collection)"
meter meter-B1 receive "$transfer" | indent
meter meter-B1 info-acknowledge "$transfer" | indent

step "The meters' registers"
for m in meter-A1 meter-A2 meter-B1; do meter "$m" balance | indent; done

step "The auditor: conservation from the ledger alone, and the chain verified block by block"
auditor audit | indent
auditor verify-chain | indent

step "Done in $(( $(date +%s) - started )) s; the network goes down"
