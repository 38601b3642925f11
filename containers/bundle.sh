#!/usr/bin/env bash
# Per-organisation bundles from the one consortium description (network/consortium.json): what each org needs to
# run its own nodes on its own host. One folder per org in the bundle folder:
#   org.json                       the org's part of the description
#   ca/                            its Fabric CA's home (bootstrap secret generated here, owner-only); ca/container.json
#   nodes/<node>/container.json    image, address, ports, environment and command of each node (peer, orderer,
#                                  the chaincode service for DataCenter); start-<node>.sh runs it with podman
#   msp/, nodes/<node>/{msp,tls}, users/admin/{msp,tls}   issued by the org's own CA at deploy time (enrol step)
#   consortium/                    what the orgs exchange: every org's CA root, the genesis block, the chaincode
#                                  package and definition
#   connection-profile.json        (peer orgs) what the org's clients need to reach its gateway
# Inside a container the org's bundle is /bundle; nodes reach each other at <node>.<domain>:<port of the description>.
# Nothing generated here is ever committed (.containers/ is git-ignored).
#
#   containers/bundle.sh layout [--orderers 1|3]    the folders, secrets, container definitions and start scripts
#   containers/bundle.sh enrol ORG HOST:PORT        the org's identities from its running CA, reached at HOST:PORT
#   containers/bundle.sh channel                    genesis block and chaincode package from the orgs' public MSPs
#   containers/bundle.sh layout --join ORG          the bundle of an org that joins the running channel (joiningOrgs)
#   containers/bundle.sh join ORG                   (after its enrol) what the orgs exchange for its joining: roots,
#                                                   its channel definition, the next chaincode definition
# The bundle folder is $POSTAL_BUNDLES (default .containers/bundles).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
say() { echo "bundle: $*" >&2; }
die() { say "$*"; exit 1; }
command -v jq >/dev/null || die "'jq' is not on PATH: run test-network/install-packages.sh"
CONSORTIUM="$root/network/consortium.json"
OUT="${POSTAL_BUNDLES:-$root/.containers/bundles}"
c() { jq -r "$@" "$CONSORTIUM"; }
PEER_ORGS=$(c '.peerOrgs[].name')
# An org is a founding peer org, the orderer org, or one that joins the running channel later (joiningOrgs).
org_json() { jq -c --arg o "$1" '(.peerOrgs[], .joiningOrgs[]? | select(.name == $o)), (.ordererOrg | select(.name == $o))' "$CONSORTIUM"; }
# One jq per field (the layout asks for many; a process fewer each matters on a loaded machine).
org_field() { jq -r --arg o "$1" "((.peerOrgs[], .joiningOrgs[]? | select(.name == \$o)), (.ordererOrg | select(.name == \$o))) | $2" "$CONSORTIUM"; }
orderer_count() { cat "$OUT/orderer-count" 2>/dev/null || c .ordererOrg.defaultNodeCount; }
orderer_names() { c ".ordererOrg.nodes[0:$(orderer_count)][].name"; }
orderer_field() { jq -r --arg n "$1" ".ordererOrg.nodes[] | select(.name == \$n) | $2" "$CONSORTIUM"; }
secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }
# The address of a node on the container network (a host name on real hosts): <node>.<domain>.
address() { echo "$2.$(org_field "$1" .domain)"; }
cc_host() { echo "chaincode.$(org_field DataCenter .domain)"; }
cc_port() { c .chaincode.serverAddress | sed 's/.*://'; }

# container_json ROLE ALIAS PORTS-JSON ENV-JSON COMMAND-JSON: what a node's container runs.
container_json() {
  jq -n --arg role "$1" --arg alias "$2" --argjson ports "$3" --argjson env "$4" --argjson cmd "$5" \
    '{ role: $role, alias: $alias, ports: $ports, env: $env, command: $cmd, bundleMount: "/bundle" }'
}
# start_script DIR NAME: a podman run of DIR/container.json on a real host (network and image given on its command line).
start_script() {
  local json=$1 out=$2
  cat > "$out" <<'SH'
#!/usr/bin/env bash
# Runs this node from its org's bundle with podman (or docker): start-<node>.sh IMAGE [NETWORK]
# The node's address must resolve to this host (DNS or /etc/hosts); its ports are published on the host.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
json="$here/__JSON__"
image=${1:?usage: $0 IMAGE [NETWORK]}; network=${2:-}
engine=$(command -v podman || command -v docker)
args=(run -d --name "$(jq -r .alias "$json")" --hostname "$(jq -r .alias "$json")" -v "$here:/bundle")
[ -n "$network" ] && args+=(--network "$network" --network-alias "$(jq -r .alias "$json")")
for p in $(jq -r '.ports[]' "$json"); do args+=(-p "$p:$p"); done
while IFS= read -r kv; do args+=(-e "$kv"); done < <(jq -r '.env | to_entries[] | "\(.key)=\(.value)"' "$json")
mapfile -t cmd < <(jq -r '.command[]' "$json")
exec "$engine" "${args[@]}" "$image" "${cmd[@]}"
SH
  sed -i "s|__JSON__|$(realpath --relative-to="$(dirname "$out")" "$json")|" "$out"
  chmod +x "$out"
}

# layout_ca ORG: the org's folders, its CA's bootstrap secret, container definition and start script.
layout_ca() {
  local o=$1 od domain
  od="$OUT/$o"; domain=$(org_field "$o" .domain)
  mkdir -p "$od/ca" "$od/consortium" "$od/nodes"
  org_json "$o" | jq . > "$od/org.json"
  [ -f "$od/ca/bootstrap.secret" ] || (umask 077; secret > "$od/ca/bootstrap.secret")
  local port ops; port=$(org_field "$o" .ca.port); ops=$(org_field "$o" .ca.operationsPort)
  # The bootstrap secret reaches the CA through its environment (FABRIC_CA_SERVER_BOOT), set by the starter from
  # ca/bootstrap.secret, never written into container.json or onto a command line.
  container_json ca "ca.$domain" "[$port, $ops]" '{}' "$(jq -n --arg n "ca-$o" --arg cn "ca.$domain" --arg port "$port" --arg ops "$ops" \
    '["start", "--home", "/bundle/ca", "--port", $port, "--ca.name", $n, "--csr.cn", $cn,
      "--csr.hosts", "\($cn),127.0.0.1,localhost", "--tls.enabled",
      "--operations.listenaddress", "0.0.0.0:\($ops)", "--metrics.provider", "prometheus"]')" > "$od/ca/container.json"
  start_script "$od/ca/container.json" "$od/start-ca.sh"
}

# layout_peer ORG: the org's peer (container definition, start script) and its clients' connection profile.
layout_peer() {
  local o=$1 name domain env
  name=$(org_field "$o" .peer.name); domain=$(org_field "$o" .domain)
  local nd=/bundle/nodes/$name host; host=$(address "$o" "$name")
  mkdir -p "$OUT/$o/nodes/$name"
  env=$(jq -n --arg msp "$(org_field "$o" .mspId)" --arg nd "$nd" --arg host "$host" \
    --arg port "$(org_field "$o" .peer.port)" --arg cc "$(org_field "$o" .peer.chaincodePort)" \
    --arg ops "$(org_field "$o" .peer.operationsPort)" '{
      FABRIC_LOGGING_SPEC: "info", CORE_PEER_ID: $host, CORE_PEER_ADDRESS: "\($host):\($port)",
      CORE_PEER_LISTENADDRESS: "0.0.0.0:\($port)", CORE_PEER_CHAINCODEADDRESS: "\($host):\($cc)",
      CORE_PEER_CHAINCODELISTENADDRESS: "0.0.0.0:\($cc)", CORE_PEER_GOSSIP_BOOTSTRAP: "\($host):\($port)",
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: "\($host):\($port)", CORE_PEER_GOSSIP_RECONNECTINTERVAL: "3s",
      CORE_PEER_DELIVERYCLIENT_RECONNECTBACKOFFTHRESHOLD: "5s",
      CORE_PEER_LOCALMSPID: $msp, CORE_PEER_MSPCONFIGPATH: "\($nd)/msp",
      CORE_PEER_TLS_ENABLED: "true", CORE_PEER_TLS_CERT_FILE: "\($nd)/tls/server.crt",
      CORE_PEER_TLS_KEY_FILE: "\($nd)/tls/server.key", CORE_PEER_TLS_ROOTCERT_FILE: "\($nd)/tls/ca.crt",
      CORE_PEER_FILESYSTEMPATH: "/var/hyperledger/production", CORE_LEDGER_SNAPSHOTS_ROOTDIR: "/var/hyperledger/snapshots",
      CORE_LEDGER_STATE_STATEDATABASE: "goleveldb", CORE_OPERATIONS_LISTENADDRESS: "0.0.0.0:\($ops)",
      CORE_METRICS_PROVIDER: "prometheus", CORE_VM_ENDPOINT: "", CORE_PEER_GATEWAY_ENABLED: "true",
      CORE_PEER_GATEWAY_ENDORSEMENTTIMEOUT: "10s",
      CORE_PEER_KEEPALIVE_DELIVERYCLIENT_INTERVAL: "10s", CORE_PEER_KEEPALIVE_DELIVERYCLIENT_TIMEOUT: "5s" }')
  # A node cut off the network drops packets silently. The gateway's endorsement timeout (10 s) is below the clients'
  # endorse deadline (15 s), so a client hears which endorser did not answer, not only its own deadline; the block
  # delivery's keepalive (10 s, 5 s to answer; Fabric's 60 s + 20 s) moves a peer off a cut orderer within 15 s.
  container_json peer "$host" \
    "[$(org_field "$o" .peer.port), $(org_field "$o" .peer.chaincodePort), $(org_field "$o" .peer.operationsPort)]" \
    "$env" '["node", "start"]' > "$OUT/$o/nodes/$name/container.json"
  start_script "$OUT/$o/nodes/$name/container.json" "$OUT/$o/start-$name.sh"
  jq -n --arg ep "$host:$(org_field "$o" .peer.port)" --arg sn "$host" --arg ch "$(c .channel)" \
    --arg cc "$(c .chaincode.name)" --arg msp "$(org_field "$o" .mspId)" \
    --arg ca "https://ca.$domain:$(org_field "$o" .ca.port)" '{
      peerEndpoint: $ep, serverName: $sn, tlsRootCertificate: "msp/tlscacerts/ca-cert.pem",
      channel: $ch, chaincode: $cc, mspId: $msp, ca: $ca, caName: "ca-\($msp | sub("MSP$"; ""))" }' \
    > "$OUT/$o/connection-profile.json"
}

layout() {
  local count=${1:-}
  [ -z "$count" ] || [[ "$count" =~ ^[13]$ ]] || die "--orderers takes 1 or 3, not $count"
  mkdir -p "$OUT"; [ -n "$count" ] && echo "$count" > "$OUT/orderer-count"
  local o od domain name env
  for o in Orderer $PEER_ORGS; do layout_ca "$o"; done
  # Orderers
  local tls_roots; tls_roots="[$(for o in Orderer $PEER_ORGS; do printf '/bundle/consortium/%s-ca.pem,' "$o"; done | sed 's/,$//')]"
  for name in $(orderer_names); do
    local nd=/bundle/nodes/$name
    mkdir -p "$OUT/Orderer/nodes/$name"
    # Keepalive pings from 5 s on are welcome (the peers' block delivery pings every 10 s; Fabric's 60 s minimum
    # would answer them with GOAWAY).
    env=$(jq -n --arg msp "$(c .ordererOrg.mspId)" --arg nd "$nd" --arg roots "$tls_roots" \
      --arg port "$(orderer_field "$name" .port)" --arg admin "$(orderer_field "$name" .adminPort)" \
      --arg ops "$(orderer_field "$name" .operationsPort)" --arg cluster "$(orderer_field "$name" .clusterPort)" '{
        FABRIC_LOGGING_SPEC: "info", ORDERER_GENERAL_LISTENADDRESS: "0.0.0.0", ORDERER_GENERAL_LISTENPORT: $port,
        ORDERER_GENERAL_LOCALMSPID: $msp, ORDERER_GENERAL_LOCALMSPDIR: "\($nd)/msp",
        ORDERER_GENERAL_TLS_ENABLED: "true", ORDERER_GENERAL_TLS_CERTIFICATE: "\($nd)/tls/server.crt",
        ORDERER_GENERAL_TLS_PRIVATEKEY: "\($nd)/tls/server.key", ORDERER_GENERAL_TLS_ROOTCAS: $roots,
        ORDERER_GENERAL_BOOTSTRAPMETHOD: "none", ORDERER_CHANNELPARTICIPATION_ENABLED: "true",
        ORDERER_GENERAL_CLUSTER_LISTENADDRESS: "0.0.0.0", ORDERER_GENERAL_CLUSTER_LISTENPORT: $cluster,
        ORDERER_GENERAL_CLUSTER_SERVERCERTIFICATE: "\($nd)/tls/server.crt", ORDERER_GENERAL_CLUSTER_SERVERPRIVATEKEY: "\($nd)/tls/server.key",
        ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: "\($nd)/tls/server.crt", ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: "\($nd)/tls/server.key",
        ORDERER_GENERAL_CLUSTER_ROOTCAS: "[/bundle/consortium/Orderer-ca.pem]",
        ORDERER_ADMIN_LISTENADDRESS: "0.0.0.0:\($admin)", ORDERER_ADMIN_TLS_ENABLED: "true",
        ORDERER_ADMIN_TLS_CERTIFICATE: "\($nd)/tls/server.crt", ORDERER_ADMIN_TLS_PRIVATEKEY: "\($nd)/tls/server.key",
        ORDERER_ADMIN_TLS_ROOTCAS: "[/bundle/consortium/Orderer-ca.pem]", ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: "true",
        ORDERER_ADMIN_TLS_CLIENTROOTCAS: "[/bundle/consortium/Orderer-ca.pem]",
        ORDERER_OPERATIONS_LISTENADDRESS: "0.0.0.0:\($ops)", ORDERER_METRICS_PROVIDER: "prometheus",
        ORDERER_GENERAL_KEEPALIVE_SERVERMININTERVAL: "5s",
        ORDERER_FILELEDGER_LOCATION: "/var/hyperledger/production/orderer",
        ORDERER_CONSENSUS_WALDIR: "/var/hyperledger/production/orderer/etcdraft/wal",
        ORDERER_CONSENSUS_SNAPDIR: "/var/hyperledger/production/orderer/etcdraft/snapshot" }')
    container_json orderer "$(address Orderer "$name")" \
      "[$(orderer_field "$name" .port), $(orderer_field "$name" .adminPort), $(orderer_field "$name" .operationsPort), $(orderer_field "$name" .clusterPort)]" \
      "$env" '[]' > "$OUT/Orderer/nodes/$name/container.json"
    start_script "$OUT/Orderer/nodes/$name/container.json" "$OUT/Orderer/start-$name.sh"
  done
  # Peers
  for o in $PEER_ORGS; do layout_peer "$o"; done
  # The chaincode service: run by DataCenter, dialled by every peer over TLS.
  mkdir -p "$OUT/DataCenter/nodes/chaincode-service"
  container_json chaincode "$(cc_host)" "[$(cc_port)]" "$(jq -n --arg a "0.0.0.0:$(cc_port)" --arg msp "$(org_field DataCenter .mspId)" '{
      CHAINCODE_SERVER_ADDRESS: $a, CORE_PEER_TLS_ENABLED: "true", CORE_PEER_LOCALMSPID: $msp,
      CORE_TLS_CLIENT_KEY_FILE: "/bundle/nodes/chaincode-service/tls/server.key",
      CORE_TLS_CLIENT_CERT_FILE: "/bundle/nodes/chaincode-service/tls/server.crt",
      CORE_TLS_CLIENT_KEY_PATH: "/bundle/nodes/chaincode-service/tls/server.key.b64",
      CORE_TLS_CLIENT_CERT_PATH: "/bundle/nodes/chaincode-service/tls/server.crt.b64",
      CORE_PEER_TLS_ROOTCERT_FILE: "/bundle/msp/cacerts/ca-cert.pem" }')" \
    "$(c .chaincode.jvmOptions | jq -R 'split(" ") + ["-jar", "/opt/postal/app.jar"]')" \
    > "$OUT/DataCenter/nodes/chaincode-service/container.json"
  start_script "$OUT/DataCenter/nodes/chaincode-service/container.json" "$OUT/DataCenter/start-chaincode-service.sh"
  say "bundles laid out in $OUT: $(echo Orderer $PEER_ORGS)"
}

ca_client() { "${FABRIC_CA_CLIENT_BIN:-fabric-ca-client}" "$@"; }
node_ous() {
  cat <<YAML
NodeOUs:
  Enable: true
  ClientOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: client }
  PeerOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: peer }
  AdminOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: admin }
  OrdererOUIdentifier: { Certificate: cacerts/ca-cert.pem, OrganizationalUnitIdentifier: orderer }
YAML
}

enrol() {
  local org=${1:?usage: bundle.sh enrol ORG HOST:PORT} at=${2:?usage: bundle.sh enrol ORG HOST:PORT}
  local od="$OUT/$org" log="$OUT/$org/enrol.log" cacert="$OUT/$org/ca/ca-cert.pem" caname="ca-$org" domain
  domain=$(org_field "$org" .domain)
  [ -f "$cacert" ] || die "no $cacert: the CA of $org has not started from its bundle"
  : > "$log"
  client() { # home, then arguments; the secret comes in through FABRIC_CA_CLIENT_* variables
    local home=$1; shift
    FABRIC_CA_CLIENT_HOME=$home ca_client "$@" --tls.certfiles "$cacert" --caname "$caname" >>"$log" 2>&1 \
      || { tail -20 "$log" >&2; die "fabric-ca-client $1 failed for $org"; }
  }
  local registrar="$od/ca-registrar"
  rm -rf "$registrar"
  FABRIC_CA_CLIENT_URL="https://admin:$(cat "$od/ca/bootstrap.secret")@$at" client "$registrar" enroll
  one() { # id type dir hosts
    local id=$1 type=$2 dir=$3 hosts=$4 pw; pw=$(secret)
    FABRIC_CA_CLIENT_ID_SECRET=$pw client "$registrar" register --id.name "$id" --id.type "$type" -u "https://$at"
    # Only the identity is replaced: the node's container.json beside it stays.
    rm -rf "$dir/msp" "$dir/tls" "$dir/tls-enrol"; mkdir -p "$dir"
    FABRIC_CA_CLIENT_URL="https://$id:$pw@$at" client "$dir" enroll -M "$dir/msp" --csr.hosts "$hosts"
    FABRIC_CA_CLIENT_URL="https://$id:$pw@$at" client "$dir" enroll -M "$dir/tls-enrol" --enrollment.profile tls --csr.hosts "$hosts"
    rm -f "$dir"/msp/cacerts/*; cp "$cacert" "$dir/msp/cacerts/ca-cert.pem"; node_ous > "$dir/msp/config.yaml"
    mkdir -p "$dir/tls"
    cp "$dir"/tls-enrol/signcerts/*.pem "$dir/tls/server.crt"; cp "$dir"/tls-enrol/keystore/*_sk "$dir/tls/server.key"
    cp "$cacert" "$dir/tls/ca.crt"; rm -rf "$dir/tls-enrol"
    mv "$dir"/msp/keystore/*_sk "$dir/msp/keystore/key.pem"
    [ -f "$dir/msp/signcerts/cert.pem" ] || mv "$dir"/msp/signcerts/*.pem "$dir/msp/signcerts/cert.pem"
    rm -f "$dir/fabric-ca-client-config.yaml"
  }
  local names n
  if [ "$org" = Orderer ]; then names=$(orderer_names); else names=$(org_field "$org" .peer.name); fi
  for n in $names; do
    one "$n" "$([ "$org" = Orderer ] && echo orderer || echo peer)" "$od/nodes/$n" "$(address "$org" "$n"),127.0.0.1,localhost"
  done
  if [ "$org" = DataCenter ]; then
    one chaincode-service client "$od/nodes/chaincode-service" "$(cc_host),127.0.0.1,localhost"
    local tls="$od/nodes/chaincode-service/tls"
    # The shim reads the *_PATH files as base64 of the PEM, the *_FILE ones as PEM.
    base64 -w0 "$tls/server.key" > "$tls/server.key.b64"; base64 -w0 "$tls/server.crt" > "$tls/server.crt.b64"
  fi
  one "admin-$org" admin "$od/users/admin" "admin.$domain"
  rm -rf "$od/msp"; mkdir -p "$od/msp/cacerts" "$od/msp/tlscacerts"
  cp "$cacert" "$od/msp/cacerts/ca-cert.pem"; cp "$cacert" "$od/msp/tlscacerts/ca-cert.pem"; node_ous > "$od/msp/config.yaml"
  touch "$od/.enrolled"
  say "$org: identities issued by ca-$org"
}

# org_yaml ORG: the org's entry in configtx.yaml (its public MSP, policies, orderer endpoints or anchor peer).
org_yaml() {
  local o=$1 name msp
  msp=$(org_field "$o" .mspId)
  cat <<YAML
  - &$o
    Name: $msp
    ID: $msp
    MSPDir: $OUT/$o/msp
    Policies:
      Readers: { Type: Signature, Rule: "OR('$msp.member')" }
      Writers: { Type: Signature, Rule: "OR('$msp.member')" }
      Admins: { Type: Signature, Rule: "OR('$msp.admin')" }
YAML
  if [ "$o" = Orderer ]; then
    echo "    OrdererEndpoints:"
    for name in $(orderer_names); do echo "      - $(address Orderer "$name"):$(orderer_field "$name" .port)"; done
  else
    cat <<YAML
      Endorsement: { Type: Signature, Rule: "OR('$msp.peer')" }
    AnchorPeers:
      - { Host: $(address "$o" "$(org_field "$o" .peer.name)"), Port: $(org_field "$o" .peer.port) }
YAML
  fi
}

channel() {
  local o name
  for o in Orderer $PEER_ORGS; do [ -f "$OUT/$o/.enrolled" ] || die "$o has no identities yet: bundle.sh enrol $o HOST:PORT"; done
  # Every org's public root goes to every org (what the orgs exchange before the channel exists).
  for o in Orderer $PEER_ORGS; do
    for other in Orderer $PEER_ORGS; do cp "$OUT/$other/msp/cacerts/ca-cert.pem" "$OUT/$o/consortium/$other-ca.pem"; done
  done
  local work="$OUT/.channel"; rm -rf "$work"; mkdir -p "$work"
  {
    echo "Organizations:"
    for o in Orderer $PEER_ORGS; do org_yaml "$o"; done
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
      local tls="$OUT/Orderer/nodes/$name/tls/server.crt"
      echo "          - { Host: $(address Orderer "$name"), Port: $(orderer_field "$name" .clusterPort), ClientTLSCert: $tls, ServerTLSCert: $tls }"
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
  } > "$work/configtx.yaml"
  local ch; ch=$(c .channel)
  "${CONFIGTXGEN_BIN:-configtxgen}" -configPath "$work" -profile PostalChannel -channelID "$ch" \
    -outputBlock "$work/$ch.block" >"$work/configtxgen.log" 2>&1 || { cat "$work/configtxgen.log" >&2; die "configtxgen failed"; }
  cp "$work/$ch.block" "$OUT/Orderer/consortium/$ch.block"
  for o in $PEER_ORGS; do cp "$work/$ch.block" "$OUT/$o/consortium/$ch.block"; done
  # The chaincode package: a ccaas package naming the service's address on the network, with DataCenter's root.
  local name label
  name=$(c .chaincode.name); label="${name}_${CHAINCODE_VERSION:-containers}"
  jq -n --arg a "$(cc_host):$(cc_port)" --rawfile root "$OUT/DataCenter/msp/cacerts/ca-cert.pem" \
    '{ address: $a, dial_timeout: "10s", tls_required: true, client_auth_required: false, root_cert: $root }' > "$work/connection.json"
  jq -n --arg l "$label" '{ type: "ccaas", label: $l }' > "$work/metadata.json"
  tar --owner=0 --group=0 --mtime=@0 -C "$work" -czf "$work/code.tar.gz" connection.json
  tar --owner=0 --group=0 --mtime=@0 -C "$work" -czf "$work/chaincode.tar.gz" metadata.json code.tar.gz
  # Fabric's package id: the label, then the SHA-256 of the package's bytes; the service announces itself by it.
  local package_id; package_id="$label:$(sha256sum "$work/chaincode.tar.gz" | cut -d' ' -f1)"
  local ccjson="$OUT/DataCenter/nodes/chaincode-service/container.json"
  jq --arg id "$package_id" '.env.CORE_CHAINCODE_ID_NAME = $id' "$ccjson" > "$ccjson.tmp" || die "no $ccjson: run bundle.sh layout"
  mv "$ccjson.tmp" "$ccjson"
  for o in $PEER_ORGS; do
    cp "$work/chaincode.tar.gz" "$OUT/$o/consortium/chaincode.tar.gz"
    cp "$root/network/$(c .chaincode.collectionsConfig)" "$OUT/$o/consortium/collections_config.json"
    jq -n --arg ch "$ch" --arg n "$name" --arg v "${CHAINCODE_VERSION:-containers}" --arg p "$(c .chaincode.endorsementPolicy)" \
      --arg l "$label" --arg id "$package_id" '{ channel: $ch, name: $n, version: $v, sequence: 1, label: $l, packageId: $id, signaturePolicy: $p,
                         collectionsConfig: "consortium/collections_config.json", package: "consortium/chaincode.tar.gz" }' \
      > "$OUT/$o/consortium/chaincode-definition.json"
  done
  rm -rf "$work"
  say "genesis block of $ch and the chaincode package $label in every org's consortium/"
}

# layout_join ORG: the bundle of an org that joins the running channel later (joiningOrgs in the description): its CA,
# its peer and its clients' profile, as for a founding peer org.
layout_join() {
  local o=${1:?usage: bundle.sh layout --join ORG}
  [ "$(jq --arg o "$o" '[.joiningOrgs[]? | select(.name == $o)] | length' "$CONSORTIUM")" = 1 ] \
    || die "$o is not among network/consortium.json's joiningOrgs"
  mkdir -p "$OUT"; layout_ca "$o"; layout_peer "$o"
  say "bundle of $o (joins the running channel) laid out in $OUT/$o"
}

# The chaincode definition's parts that name the meter owners, from the orgs' ledgerRole: the policy
# AND(data center, OR(meter owners)) and a collection per pair of owners, per owner, per data center-owner pair
# (chaincode SecureInformationCollections' names). For the founding orgs both must equal network/'s.
role_msps() { local r=$1 o; shift; for o in "$@"; do if [ "$(org_field "$o" .ledgerRole)" = "$r" ]; then org_field "$o" .mspId; fi; done | sort; }
policy_for() {
  local owners; owners=$(role_msps meterOwner "$@" | sed "s/.*/'&.peer'/" | paste -sd, | sed 's/,/, /g')
  echo "AND('$(role_msps dataCenter "$@").peer', OR($owners))"
}
collections_for() {
  # shellcheck disable=SC2016
  jq -n --arg dc "$(role_msps dataCenter "$@")" --args '$ARGS.positional as $o
    | def q($m; $role): $m | map("'"'"'\(.).\($role)'"'"'") | join(",");
      def c($m): { name: ("secureInfo-" + ($m | join("-"))), policy: "OR(\(q($m; "member")))",
        requiredPeerCount: (if ($m | length) == 1 then 0 else 1 end), maxPeerCount: ($m | length), blockToLive: 0,
        memberOnlyRead: true, memberOnlyWrite: false, endorsementPolicy: { signaturePolicy: "AND(\(q($m; "peer")))" } };
    [ (range(0; $o | length) as $i | range($i + 1; $o | length) as $j | c([$o[$i], $o[$j]])), ($o[] | c([.])),
      ($o[] | c([$dc, .] | sort)) ]' $(role_msps meterOwner "$@")
}

# join ORG: what the orgs exchange when ORG joins the running channel: its root to every org and theirs to it, the
# genesis block and chaincode package to it, its channel definition (configtxgen -printOrg) to the peer orgs for the
# config update, and the next chaincode definition (same package, sequence + 1, the new org among the meter owners'
# endorsers and in the collections) to every peer org, the new one included.
join() {
  local org=${1:?usage: bundle.sh join ORG} o ch work members
  [ -f "$OUT/$org/.enrolled" ] || die "$org has no identities yet: bundle.sh enrol $org HOST:PORT"
  [ -f "$OUT/DataCenter/consortium/chaincode-definition.json" ] || die "no channel yet: bundle.sh channel"
  ch=$(c .channel)
  [ "$(policy_for $PEER_ORGS)" = "$(c .chaincode.endorsementPolicy)" ] \
    || die "network/consortium.json's endorsementPolicy is not $(policy_for $PEER_ORGS): the join rule no longer fits it"
  diff <(collections_for $PEER_ORGS | jq -S 'sort_by(.name)') \
       <(jq -S 'sort_by(.name)' "$root/network/$(c .chaincode.collectionsConfig)") >/dev/null \
    || die "network/$(c .chaincode.collectionsConfig) is not the pair rule's: the join rule no longer fits it"
  members="$PEER_ORGS $(cat "$OUT/joined-orgs" 2>/dev/null || true) $org"
  for o in Orderer $members; do
    cp "$OUT/$org/msp/cacerts/ca-cert.pem" "$OUT/$o/consortium/$org-ca.pem"
    cp "$OUT/$o/msp/cacerts/ca-cert.pem" "$OUT/$org/consortium/$o-ca.pem"
  done
  cp "$OUT/DataCenter/consortium/$ch.block" "$OUT/DataCenter/consortium/chaincode.tar.gz" "$OUT/$org/consortium/"
  work="$OUT/.join-$org"; rm -rf "$work"; mkdir -p "$work"
  { echo "Organizations:"; org_yaml "$org"; } > "$work/configtx.yaml"
  "${CONFIGTXGEN_BIN:-configtxgen}" -configPath "$work" -printOrg "$(org_field "$org" .mspId)" >"$work/org.json" 2>"$work/configtxgen.log" \
    || { cat "$work/configtxgen.log" >&2; die "configtxgen -printOrg failed for $org"; }
  jq -e '.values.AnchorPeers' "$work/org.json" >/dev/null || die "configtxgen gave $org no anchor peer"
  collections_for $members > "$work/collections_config.json"
  local current next policy
  current=$(jq -r .sequence "$OUT/DataCenter/consortium/chaincode-definition.json"); next=$((current + 1)); policy=$(policy_for $members)
  jq --argjson s "$next" --arg p "$policy" '.sequence = $s | .signaturePolicy = $p' \
    "$OUT/DataCenter/consortium/chaincode-definition.json" > "$work/definition.json"
  for o in $members; do
    cp "$work/org.json" "$OUT/$o/consortium/$org-org.json"
    cp "$work/collections_config.json" "$OUT/$o/consortium/collections_config.json"
    cp "$work/definition.json" "$OUT/$o/consortium/chaincode-definition.json"
  done
  echo "$org" >> "$OUT/joined-orgs"
  rm -rf "$work"
  say "$org: roots exchanged, its channel definition and chaincode definition sequence $next ($policy) in every peer org's consortium/"
}

case ${1:-} in
  layout) shift
    case ${1:-} in
      --orderers) layout "${2:-}" ;;
      --join) layout_join "${2:-}" ;;
      *) layout "" ;;
    esac ;;
  enrol) shift; enrol "$@" ;;
  channel) channel ;;
  join) shift; join "$@" ;;
  *) die "usage: bundle.sh layout [--orderers 1|3] | layout --join ORG | enrol ORG HOST:PORT | channel | join ORG" ;;
esac
