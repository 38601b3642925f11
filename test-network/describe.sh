#!/usr/bin/env bash
# Prints the running network's connection details as JSON (gateway endpoints, TLS roots, CA URLs, admin
# identities, processes), and writes one CLI profile per organisation's admin into .network/profiles/.
# up.sh and deploy.sh keep .network/network.json current with it.
set -euo pipefail
SCRIPT_NAME=describe
source "$(dirname "$0")/lib.sh"
[ -f "$STATE/orgs/.complete" ] || die "no network in $STATE: run test-network/up.sh"

mkdir -p "$STATE/profiles"
orgs="[]"
for o in $PEER_ORGS Orderer; do
  od=$(org_dir "$o")
  org=$(org_json "$o" | jq -c --arg od "$od" --arg ca "$STATE/ca/$o" '{
      name, mspId, domain,
      ca: { url: "https://127.0.0.1:\(.ca.port)", name: "ca-\(.name)", tlsCertificate: "\($od)/ca-cert.pem",
            registrar: "admin", registrarSecretFile: "\($ca)/bootstrap.secret", registrarHome: "\($ca)/registrar", operations: "http://127.0.0.1:\(.ca.operationsPort)" },
      admin: { certificate: "\($od)/users/admin/msp/signcerts/cert.pem", privateKey: "\($od)/users/admin/msp/keystore/key.pem",
               mspDir: "\($od)/users/admin/msp" },
      tlsRootCertificate: "\($od)/ca-cert.pem" }
    + (if .peer then { peer: { name: "\(.peer.name).\(.domain)", endpoint: "127.0.0.1:\(.peer.port)",
            serverName: "\(.peer.name).\(.domain)", operations: "http://127.0.0.1:\(.peer.operationsPort)" } } else {} end)')
  orgs=$(jq -c --argjson o "$org" '. + [$o]' <<<"$orgs")
  if [ "$o" != Orderer ]; then
    jq -n --argjson o "$org" --arg channel "$CHANNEL" --arg cc "$(c .chaincode.name)" '{
        peerEndpoint: $o.peer.endpoint, serverName: $o.peer.serverName, tlsRootCertificate: $o.tlsRootCertificate,
        channel: $channel, chaincode: $cc, mspId: $o.mspId,
        certificate: $o.admin.certificate, privateKey: $o.admin.privateKey }' > "$STATE/profiles/$o-admin.json"
  fi
done
orderers=$(for n in $(orderer_names); do
  jq -n --arg n "$n" --argjson node "$(jq -c --arg n "$n" '.ordererOrg.nodes[] | select(.name == $n)' "$CONSORTIUM")" '{
    name: $n, endpoint: "127.0.0.1:\($node.port)", admin: "127.0.0.1:\($node.adminPort)",
    operations: "http://127.0.0.1:\($node.operationsPort)" }'
done | jq -s -c .)
processes=$(network_processes | while read -r name ops; do
  jq -n --arg n "$name" --arg p "$(pid_of "$name")" --arg ops "$ops" '{ name: $n, pid: ($p | tonumber? // null), operations: "http://127.0.0.1:\($ops)" }'
done | jq -s -c .)
chaincode="{}"
[ -f "$STATE/chaincode/deployed.json" ] && chaincode=$(cat "$STATE/chaincode/deployed.json")
fabric_home
jq -n --arg fabric "$POSTAL_FABRIC_HOME" --arg state "$STATE" --arg channel "$CHANNEL" --argjson orgs "$orgs" --argjson orderers "$orderers" \
  --argjson processes "$processes" --argjson chaincode "$chaincode" --arg cc "$(c .chaincode.name)" '{
    state: $state, fabricHome: $fabric, channel: $channel, chaincodeName: $cc, organisations: $orgs, orderers: $orderers,
    chaincode: $chaincode, processes: $processes,
    profiles: "\($state)/profiles" }'
