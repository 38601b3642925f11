#!/usr/bin/env bash
# Brings the consortium of network/consortium.json up as native processes on 127.0.0.1: one Fabric CA per
# organisation (issuing every node's and admin's identity and TLS certificate), the Raft orderer(s), one peer per
# peer organisation, channel `postal` created through the channel participation API and joined by every peer.
# Writes .network/network.json (what clients and tests need) and one admin profile per organisation.
#
#   test-network/up.sh [--orderers 1|3]
#
# Idempotent: what already runs is left alone, what is missing is started; a second run changes nothing.
set -euo pipefail
SCRIPT_NAME=up
source "$(dirname "$0")/lib.sh"

while [ $# -gt 0 ]; do
  case $1 in
    --orderers) POSTAL_ORDERERS=$2; shift 2 ;;
    *) die "unknown option $1 (usage: up.sh [--orderers 1|3])" ;;
  esac
done
if [ -n "${POSTAL_ORDERERS:-}" ]; then
  [[ "$POSTAL_ORDERERS" =~ ^[13]$ ]] || die "--orderers takes 1 or 3, not $POSTAL_ORDERERS"
  if [ -f "$STATE/orderer-count" ] && [ "$(cat "$STATE/orderer-count")" != "$POSTAL_ORDERERS" ]; then
    die "the network in $STATE was made with $(cat "$STATE/orderer-count") orderer(s); run test-network/down.sh first"
  fi
fi
started=$(date +%s%N)
at() { printf '%.1f s' "$(( ($(date +%s%N) - started) / 1000000 ))e-3"; }   # time since the start, for each phase
fabric_home
mkdir -p "$STATE"
count=$(orderer_count); echo "$count" > "$STATE/orderer-count"

# Every port the network listens on must be ours or free before anything starts.
check_ports() {
  local o name
  for o in Orderer $PEER_ORGS; do
    running "ca-$o" || { require_port_free "$(org_field "$o" .ca.port)" "Fabric CA of $o"; require_port_free "$(org_field "$o" .ca.operationsPort)" "operations of the Fabric CA of $o"; }
  done
  for name in $(orderer_names); do
    running "$name" || for f in port adminPort operationsPort clusterPort; do require_port_free "$(orderer_field "$name" ".$f")" "$f of $name"; done
  done
  for o in $PEER_ORGS; do
    running "peer0-$o" || for f in port chaincodePort operationsPort; do require_port_free "$(org_field "$o" ".peer.$f")" "$f of the peer of $o"; done
  done
}
check_ports

secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# --- One Fabric CA per organisation ------------------------------------------------------------------------
start_ca() {
  local org=$1 home="$STATE/ca/$1" port ops domain
  port=$(org_field "$org" .ca.port); ops=$(org_field "$org" .ca.operationsPort); domain=$(org_field "$org" .domain)
  mkdir -p "$home"
  [ -f "$home/bootstrap.secret" ] || (umask 077; secret > "$home/bootstrap.secret")
  # The bootstrap secret goes in through the environment, never on a command line.
  start "ca-$org" FABRIC_CA_SERVER_BOOT="admin:$(cat "$home/bootstrap.secret")" -- \
    fabric-ca-server start --home "$home" --address 127.0.0.1 --port "$port" --ca.name "ca-$org" \
      --csr.cn "ca.$domain" --csr.hosts "127.0.0.1,localhost,ca.$domain" --tls.enabled \
      --operations.listenaddress "127.0.0.1:$ops" --metrics.provider prometheus
}
# Identities are made once per network: after an interrupted first run, start the CAs afresh.
if [ ! -f "$STATE/orgs/.complete" ]; then
  for o in Orderer $PEER_ORGS; do stop "ca-$o"; done
  rm -rf "$STATE/ca" "$STATE/orgs"
fi
for o in Orderer $PEER_ORGS; do start_ca "$o"; done
for o in Orderer $PEER_ORGS; do
  wait_healthy "ca-$o" "$(org_field "$o" .ca.operationsPort)" || die "the Fabric CA of $o did not start"
  wait_port "$(org_field "$o" .ca.port)" 10 || die "the Fabric CA of $o does not listen on its port"
done
say "[$(at)] Fabric CAs up: $(for o in Orderer $PEER_ORGS; do printf '%s:%s ' "$o" "$(org_field "$o" .ca.port)"; done)"

# --- Identities and TLS certificates from each org's CA ----------------------------------------------------
ca_client() { # org, then fabric-ca-client arguments; the registrar's client home is per org
  local org=$1; shift
  FABRIC_CA_CLIENT_HOME="$STATE/ca/$org/registrar" fabric-ca-client "$@" \
    --tls.certfiles "$STATE/ca/$org/ca-cert.pem" --caname "ca-$org" >>"$LOGS/ca-client.log" 2>&1 \
    || { tail -20 "$LOGS/ca-client.log" >&2; die "fabric-ca-client $1 failed for $org"; }
}
node_ous() { # the NodeOU classification: the role is the OU the CA writes from the registered type
  cat <<YAML
NodeOUs:
  Enable: true
  ClientOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: client }
  PeerOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: peer }
  AdminOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: admin }
  OrdererOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: orderer }
YAML
}
# enrol ORG ID SECRET DIR HOSTS: an MSP in DIR/msp and a TLS key pair in DIR/tls (server.crt, server.key, ca.crt).
enrol() {
  local org=$1 id=$2 pw=$3 dir=$4 hosts=$5 port
  port=$(org_field "$org" .ca.port)
  rm -rf "$dir"; mkdir -p "$dir"
  FABRIC_CA_CLIENT_URL="https://$id:$pw@127.0.0.1:$port" ca_client "$org" enroll -M "$dir/msp" --csr.hosts "$hosts"
  FABRIC_CA_CLIENT_URL="https://$id:$pw@127.0.0.1:$port" ca_client "$org" enroll -M "$dir/tls-enrol" \
    --enrollment.profile tls --csr.hosts "$hosts"
  rm -f "$dir"/msp/cacerts/*; cp "$STATE/ca/$org/ca-cert.pem" "$dir/msp/cacerts/ca-cert.pem"
  node_ous > "$dir/msp/config.yaml"
  mkdir -p "$dir/tls"
  cp "$dir"/tls-enrol/signcerts/*.pem "$dir/tls/server.crt"
  cp "$dir"/tls-enrol/keystore/*_sk "$dir/tls/server.key"
  cp "$STATE/ca/$org/ca-cert.pem" "$dir/tls/ca.crt"
  rm -rf "$dir/tls-enrol"
  mv "$dir"/msp/keystore/*_sk "$dir/msp/keystore/key.pem"   # one key per MSP; a fixed name tells clients where it is
  [ -f "$dir/msp/signcerts/cert.pem" ] || mv "$dir"/msp/signcerts/*.pem "$dir/msp/signcerts/cert.pem"
}
make_org() {
  local org=$1 port domain od names n pw
  port=$(org_field "$org" .ca.port); domain=$(org_field "$org" .domain); od=$(org_dir "$org")
  rm -rf "$STATE/ca/$org/registrar" "$od"; mkdir -p "$od"
  FABRIC_CA_CLIENT_URL="https://admin:$(cat "$STATE/ca/$org/bootstrap.secret")@127.0.0.1:$port" ca_client "$org" enroll
  cp "$STATE/ca/$org/ca-cert.pem" "$od/ca-cert.pem"
  # The org's channel MSP: its root (also its TLS root) and the NodeOU roles.
  mkdir -p "$od/msp/cacerts" "$od/msp/tlscacerts"
  cp "$od/ca-cert.pem" "$od/msp/cacerts/ca-cert.pem"; cp "$od/ca-cert.pem" "$od/msp/tlscacerts/ca-cert.pem"
  node_ous > "$od/msp/config.yaml"
  if [ "$org" = Orderer ]; then names=$(orderer_names); else names=$(org_field "$org" .peer.name); fi
  for n in $names; do
    pw=$(secret)
    FABRIC_CA_CLIENT_ID_SECRET=$pw ca_client "$org" register --id.name "$n" --id.type "$([ "$org" = Orderer ] && echo orderer || echo peer)"
    enrol "$org" "$n" "$pw" "$(node_dir "$org" "$n")" "$n.$domain,127.0.0.1,localhost"
  done
  if [ "$org" = DataCenter ]; then
    # The chaincode service's TLS server identity: the peers dial it over TLS.
    pw=$(secret)
    FABRIC_CA_CLIENT_ID_SECRET=$pw ca_client "$org" register --id.name chaincode-service --id.type client
    enrol "$org" chaincode-service "$pw" "$od/chaincode-service" "chaincode.$domain,127.0.0.1,localhost"
  fi
  pw=$(secret)
  FABRIC_CA_CLIENT_ID_SECRET=$pw ca_client "$org" register --id.name "admin-$org" --id.type admin
  enrol "$org" "admin-$org" "$pw" "$od/users/admin" "admin.$domain"
}
if [ ! -f "$STATE/orgs/.complete" ]; then
  rm -f "$LOGS/ca-client.log"
  # One org's CA does not wait for another's: enrol the orgs side by side.
  pids=()
  for o in Orderer $PEER_ORGS; do make_org "$o" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || die "the identities could not be made (see above)"; done
  touch "$STATE/orgs/.complete"
  say "[$(at)] identities enrolled from each org's Fabric CA: $(orderer_count) orderer(s), $(echo $PEER_ORGS | wc -w) peers, one admin per org"
fi

# --- Node configuration: the source's sampleconfig, with the few file settings env variables cannot set ----
mkdir -p "$STATE/config"
sed -e "s|/opt/hyperledger/ccaas_builder|$POSTAL_FABRIC_HOME/builders/ccaas|" \
    -e "s|endpoint: unix:///var/run/docker.sock|endpoint: \"\"|" \
    "$POSTAL_FABRIC_HOME/config/core.yaml" > "$STATE/config/core.yaml"
cp "$POSTAL_FABRIC_HOME/config/orderer.yaml" "$STATE/config/orderer.yaml"

# --- The channel's genesis block (configtxgen from a configtx.yaml written from the description) -----------
write_configtx() {
  local o name first
  echo "Organizations:"
  for o in Orderer $PEER_ORGS; do
    local msp; msp=$(org_field "$o" .mspId)
    cat <<YAML
  - &$o
    Name: $msp
    ID: $msp
    MSPDir: $(org_dir "$o")/msp
    Policies:
      Readers: { Type: Signature, Rule: "OR('$msp.member')" }
      Writers: { Type: Signature, Rule: "OR('$msp.member')" }
      Admins: { Type: Signature, Rule: "OR('$msp.admin')" }
YAML
    if [ "$o" = Orderer ]; then
      echo "    OrdererEndpoints:"
      for name in $(orderer_names); do echo "      - 127.0.0.1:$(orderer_field "$name" .port)"; done
    else
      cat <<YAML
      Endorsement: { Type: Signature, Rule: "OR('$msp.peer')" }
    AnchorPeers:
      - { Host: 127.0.0.1, Port: $(org_field "$o" .peer.port) }
YAML
    fi
  done
  cat <<YAML
Capabilities:
  Channel: &ChannelCapabilities { V3_0: true }
  Orderer: &OrdererCapabilities { V2_0: true }
  Application: &ApplicationCapabilities { V2_5: true }
Profiles:
  PostalChannel:
    Policies:
      Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }
      Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }
      Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }
    Capabilities: *ChannelCapabilities
    Orderer:
      OrdererType: etcdraft
      BatchTimeout: $(c .batchTimeout)
      BatchSize: { MaxMessageCount: $(c .maxMessageCount), AbsoluteMaxBytes: 10 MB, PreferredMaxBytes: 2 MB }
      EtcdRaft:
        Consenters:
YAML
  for name in $(orderer_names); do
    local tls; tls=$(node_dir Orderer "$name")/tls/server.crt
    echo "          - { Host: 127.0.0.1, Port: $(orderer_field "$name" .clusterPort), ClientTLSCert: $tls, ServerTLSCert: $tls }"
  done
  cat <<YAML
      Organizations: [ *Orderer ]
      Policies:
        Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }
        Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }
        Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }
        BlockValidation: { Type: ImplicitMeta, Rule: "ANY Writers" }
      Capabilities: *OrdererCapabilities
    Application:
      Organizations: [ $(for o in $PEER_ORGS; do printf '*%s, ' "$o"; done | sed 's/, $//') ]
      Policies:
        Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }
        Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }
        Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }
        LifecycleEndorsement: { Type: ImplicitMeta, Rule: "MAJORITY Endorsement" }
        Endorsement: { Type: ImplicitMeta, Rule: "MAJORITY Endorsement" }
      Capabilities: *ApplicationCapabilities
YAML
}
mkdir -p "$STATE/channel"
if [ ! -f "$STATE/channel/$CHANNEL.block" ]; then
  write_configtx > "$STATE/channel/configtx.yaml"
  configtxgen -configPath "$STATE/channel" -profile PostalChannel -channelID "$CHANNEL" \
    -outputBlock "$STATE/channel/$CHANNEL.block.tmp" >>"$LOGS/configtxgen.log" 2>&1 \
    || { tail -20 "$LOGS/configtxgen.log" >&2; die "configtxgen could not make the genesis block"; }
  mv "$STATE/channel/$CHANNEL.block.tmp" "$STATE/channel/$CHANNEL.block"
fi

# --- Orderers -------------------------------------------------------------------------------------------------
tls_roots="[$(for o in Orderer $PEER_ORGS; do printf '%s,' "$(org_dir "$o")/ca-cert.pem"; done | sed 's/,$//')]"
start_orderer() {
  local name=$1 nd data
  nd=$(node_dir Orderer "$name"); data="$STATE/nodes/$name"; mkdir -p "$data"
  start "$name" FABRIC_CFG_PATH="$STATE/config" FABRIC_LOGGING_SPEC=info FABRIC_LOGGING_FORMAT="$LOG_FORMAT" \
    ORDERER_GENERAL_LISTENADDRESS=127.0.0.1 ORDERER_GENERAL_LISTENPORT="$(orderer_field "$name" .port)" \
    ORDERER_GENERAL_LOCALMSPID="$(c .ordererOrg.mspId)" ORDERER_GENERAL_LOCALMSPDIR="$nd/msp" \
    ORDERER_GENERAL_TLS_ENABLED=true ORDERER_GENERAL_TLS_CERTIFICATE="$nd/tls/server.crt" \
    ORDERER_GENERAL_TLS_PRIVATEKEY="$nd/tls/server.key" ORDERER_GENERAL_TLS_ROOTCAS="$tls_roots" \
    ORDERER_GENERAL_BOOTSTRAPMETHOD=none ORDERER_CHANNELPARTICIPATION_ENABLED=true \
    ORDERER_GENERAL_CLUSTER_LISTENADDRESS=127.0.0.1 ORDERER_GENERAL_CLUSTER_LISTENPORT="$(orderer_field "$name" .clusterPort)" \
    ORDERER_GENERAL_CLUSTER_SERVERCERTIFICATE="$nd/tls/server.crt" ORDERER_GENERAL_CLUSTER_SERVERPRIVATEKEY="$nd/tls/server.key" \
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE="$nd/tls/server.crt" ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY="$nd/tls/server.key" \
    ORDERER_GENERAL_CLUSTER_ROOTCAS="[$(org_dir Orderer)/ca-cert.pem]" \
    ORDERER_ADMIN_LISTENADDRESS="127.0.0.1:$(orderer_field "$name" .adminPort)" ORDERER_ADMIN_TLS_ENABLED=true \
    ORDERER_ADMIN_TLS_CERTIFICATE="$nd/tls/server.crt" ORDERER_ADMIN_TLS_PRIVATEKEY="$nd/tls/server.key" \
    ORDERER_ADMIN_TLS_ROOTCAS="[$(org_dir Orderer)/ca-cert.pem]" ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true \
    ORDERER_ADMIN_TLS_CLIENTROOTCAS="[$(org_dir Orderer)/ca-cert.pem]" \
    ORDERER_OPERATIONS_LISTENADDRESS="127.0.0.1:$(orderer_field "$name" .operationsPort)" ORDERER_METRICS_PROVIDER=prometheus \
    ORDERER_FILELEDGER_LOCATION="$data/ledger" ORDERER_CONSENSUS_WALDIR="$data/etcdraft/wal" \
    ORDERER_CONSENSUS_SNAPDIR="$data/etcdraft/snapshot" \
    -- orderer
}
# Where each orderer's log ends before this start: the Raft leader must be seen in the lines written after it (the log is
# appended across restarts, and a restarted orderer's earlier "leader changed" line says nothing about now).
declare -A log_mark=() started_now=()
for name in $(orderer_names); do
  running "$name" && continue
  log_mark[$name]=$(stat -c %s "$LOGS/$name.log" 2>/dev/null || echo 0); started_now[$name]=1
done
for name in $(orderer_names); do start_orderer "$name"; done
for name in $(orderer_names); do wait_healthy "$name" "$(orderer_field "$name" .operationsPort)" || die "$name did not start"; done
admin_tls="$(org_dir Orderer)/users/admin/tls"
for name in $(orderer_names); do
  osn=(osnadmin channel --orderer-address "127.0.0.1:$(orderer_field "$name" .adminPort)" --ca-file "$(org_dir Orderer)/ca-cert.pem"
       --client-cert "$admin_tls/server.crt" --client-key "$admin_tls/server.key")
  # osnadmin exits 0 on any HTTP answer; the status line tells joined (200) from not (404). A restarted orderer's
  # admin endpoint may answer /healthz before it answers this: ask until it gives a status (at most 30 s).
  listed=""
  for i in $(seq 1 60); do
    listed=$("${osn[@]}" list --channelID "$CHANNEL" 2>&1 || true)
    grep -q '^Status: ' <<<"$listed" && break
    sleep 0.5
  done
  grep -q '^Status: ' <<<"$listed" || { echo "$listed" >&2; die "the admin endpoint of $name does not answer"; }
  if ! grep -q '^Status: 200' <<<"$listed"; then
    # POSTAL_JOIN_BLOCK: another config block to join with (recover-orderer.sh passes the channel's newest one).
    answer=$("${osn[@]}" join --channelID "$CHANNEL" --config-block "${POSTAL_JOIN_BLOCK:-$STATE/channel/$CHANNEL.block}" 2>&1 || true)
    echo "$answer" >> "$LOGS/osnadmin.log"
    grep -q '^Status: 201' <<<"$answer" || { echo "$answer" >&2; die "$name could not join channel $CHANNEL"; }
  fi
done
# Consensus answers only once a leader is known. Every orderer started now must log one after its start (a lone
# restarted orderer elects itself; a restarted node of three learns the others' leader); with none started (all were
# running) the first orderer's whole log is enough. 60 s: an election on a loaded 2-core machine can take 20 s and more.
leader_pattern="Raft leader changed: [0-9]* -> [1-9]\|elected leader\|Leader .* is present"
if [ ${#started_now[@]} -eq 0 ]; then
  wait_log "$(orderer_names | head -1)" "$leader_pattern" 60 || die "the orderers elected no Raft leader"
fi
for name in "${!started_now[@]}"; do
  wait_log_since "$name" "${log_mark[$name]}" "$leader_pattern" 60 || die "$name sees no Raft leader since its start"
done
say "[$(at)] orderer(s) up, channel $CHANNEL created: $(orderer_names | tr '\n' ' ')"

# --- Peers ----------------------------------------------------------------------------------------------------
start_peer() {
  local org=$1 nd data port domain name
  name=$(org_field "$org" .peer.name); nd=$(node_dir "$org" "$name"); data="$STATE/nodes/$name-$org"
  port=$(org_field "$org" .peer.port); domain=$(org_field "$org" .domain); mkdir -p "$data"
  start "peer0-$org" FABRIC_CFG_PATH="$STATE/config" FABRIC_LOGGING_SPEC=info FABRIC_LOGGING_FORMAT="$LOG_FORMAT" \
    CORE_PEER_ID="$name.$domain" CORE_PEER_ADDRESS="127.0.0.1:$port" CORE_PEER_LISTENADDRESS="127.0.0.1:$port" \
    CORE_PEER_CHAINCODEADDRESS="127.0.0.1:$(org_field "$org" .peer.chaincodePort)" \
    CORE_PEER_CHAINCODELISTENADDRESS="127.0.0.1:$(org_field "$org" .peer.chaincodePort)" \
    CORE_PEER_GOSSIP_BOOTSTRAP="127.0.0.1:$port" CORE_PEER_GOSSIP_EXTERNALENDPOINT="127.0.0.1:$port" \
    CORE_PEER_GOSSIP_RECONNECTINTERVAL=3s \
    CORE_PEER_LOCALMSPID="$(org_field "$org" .mspId)" CORE_PEER_MSPCONFIGPATH="$nd/msp" \
    CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_CERT_FILE="$nd/tls/server.crt" CORE_PEER_TLS_KEY_FILE="$nd/tls/server.key" \
    CORE_PEER_TLS_ROOTCERT_FILE="$nd/tls/ca.crt" CORE_PEER_FILESYSTEMPATH="$data/production" \
    CORE_LEDGER_SNAPSHOTS_ROOTDIR="$data/snapshots" CORE_LEDGER_STATE_STATEDATABASE=goleveldb \
    CORE_OPERATIONS_LISTENADDRESS="127.0.0.1:$(org_field "$org" .peer.operationsPort)" CORE_METRICS_PROVIDER=prometheus \
    CORE_VM_ENDPOINT= CORE_PEER_GATEWAY_ENABLED=true \
    -- peer node start
}
for o in $PEER_ORGS; do start_peer "$o"; done
for o in $PEER_ORGS; do wait_healthy "peer0-$o" "$(org_field "$o" .peer.operationsPort)" || die "the peer of $o did not start"; done
for o in $PEER_ORGS; do
  (
    peer_env "$o"
    if ! peer channel list 2>/dev/null | grep -qx "$CHANNEL"; then
      for i in 1 2 3 4 5; do
        peer channel join -b "$STATE/channel/$CHANNEL.block" >>"$LOGS/peer-cli.log" 2>&1 && exit 0
        sleep 1
      done
      tail -5 "$LOGS/peer-cli.log" >&2; exit 1
    fi
  ) || die "the peer of $o could not join channel $CHANNEL"
done
say "[$(at)] peers up and joined: $(for o in $PEER_ORGS; do printf '%s:%s ' "$o" "$(org_field "$o" .peer.port)"; done)"

# --- What clients and tests need, in one file -------------------------------------------------------------
"$NETWORK_SCRIPTS/describe.sh" > "$STATE/network.json.tmp" && mv "$STATE/network.json.tmp" "$STATE/network.json"
say "up in $(( ($(date +%s%N) - started) / 1000000 )) ms; connection details in $STATE/network.json"
