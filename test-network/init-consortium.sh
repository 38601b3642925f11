#!/usr/bin/env bash
# Writes the ledger's consortium record (which MSP is the data center, the postal authority, a meter owner) from
# network/consortium.json's ledgerRole fields, as the data center's admin: the contract refuses every other call
# until it exists. Run by deploy.sh right after the chaincode definition is committed.
#
# Idempotent: a ledger holding this record (or this one plus owners admitted since) is left alone; one holding
# another record is an error.
set -euo pipefail
SCRIPT_NAME=init-consortium
source "$(dirname "$0")/lib.sh"
fabric_home
name=$(c .chaincode.name)
one_role() {
  local msps; msps=$(jq -r --arg r "$1" '[.peerOrgs[] | select(.ledgerRole == $r) | .mspId] | join(" ")' "$CONSORTIUM")
  [ "$(wc -w <<<"$msps")" = 1 ] || die "network/consortium.json must name exactly one peer org with ledgerRole $1, names: '$msps'"
  echo "$msps"
}
record=$(jq -cS --arg dc "$(one_role dataCenter)" --arg pa "$(one_role postalAuthority)" \
  '{ dataCenterMsp: $dc, postalAuthorityMsp: $pa, meterOwnerMsps: [.peerOrgs[] | select(.ledgerRole == "meterOwner") | .mspId] | sort }' \
  "$CONSORTIUM")
[ "$(jq '.meterOwnerMsps | length' <<<"$record")" -gt 0 ] || die "network/consortium.json names no peer org with ledgerRole meterOwner"
data_center=$(jq -r '.peerOrgs[] | select(.ledgerRole == "dataCenter") | .name' "$CONSORTIUM")

current=$(peer_env "$data_center"; peer chaincode query -C "$CHANNEL" -n "$name" -c '{"function":"getConsortium","Args":[]}' 2>&1) || true
if jq -e . >/dev/null 2>&1 <<<"$current"; then
  # Owners admitted at run time (admitMeterOwner) may have joined since; the description's must all be there.
  jq -e --argjson want "$record" '.dataCenterMsp == $want.dataCenterMsp and .postalAuthorityMsp == $want.postalAuthorityMsp
      and ($want.meterOwnerMsps - .meterOwnerMsps | length == 0)' >/dev/null <<<"$current" \
    || die "the ledger's consortium $current does not match network/consortium.json's $record"
  say "the ledger's consortium record is already $(jq -cS . <<<"$current")"
  exit 0
fi
grep -q CONSORTIUM_NOT_INITIALISED <<<"$current" || { echo "$current" >&2; die "could not read the ledger's consortium record"; }

peers=()
for o in $PEER_ORGS; do peers+=(--peerAddresses "127.0.0.1:$(org_field "$o" .peer.port)" --tlsRootCertFiles "$(org_dir "$o")/ca-cert.pem"); done
(
  peer_env "$data_center"
  # shellcheck disable=SC2046
  peer chaincode invoke $(orderer_tls_args) -C "$CHANNEL" -n "$name" "${peers[@]}" --waitForEvent \
    -c "$(jq -cn --arg r "$record" '{ function: "initConsortium", Args: ["consortium-init", $r] }')" \
    >>"$LOGS/peer-cli.log" 2>&1 || { tail -5 "$LOGS/peer-cli.log" >&2; exit 1; }
) || die "could not write the consortium record"
say "consortium record written: $record"
