#!/usr/bin/env bash
# Brings back a Raft orderer whose copy of the channel cannot be read (its etcdraft write-ahead log or snapshot torn,
# e.g. by a SIGKILL mid-write: "failed to restore persisted raft data: failed to read WAL and cannot repair"), the
# way an operator does it: the channel is removed from that orderer and joined again, so that it replicates the chain
# from the other Raft members. Needs the 3-orderer network (a lone orderer has no one to replicate from).
#
#   test-network/recover-orderer.sh NAME [--force]
#
# - NAME runs and serves the channel (status active): nothing to do (the script is idempotent).
# - NAME runs but does not serve it: `osnadmin channel remove`, then the steps below from the join on.
# - NAME does not run: its log since its last start must show the channel's unreadable Raft data (--force skips
#   this check). Fabric 3.1.5 panics while it loads such a channel, so the API cannot remove it; the orderer's own
#   crash-safe removal does: a marker in its ledger's pendingops/remove/ makes it drop the channel's blocks and index
#   as it starts (what an interrupted `osnadmin channel remove` leaves behind).
# Then, in both cases: the channel's WAL and snapshot folders are moved aside (Fabric's removal leaves them, and a
# node joining afresh must start without them; the last ones are kept in etcdraft/torn/ for a post-mortem), the
# newest config block is fetched from a healthy orderer, up.sh starts the node and joins it with that block (the
# genesis block: a consenter starts as a member and is sent the chain by the leader; a later one: it onboards as a
# follower, pulling blocks, then becomes a member), and the script waits until its height reaches the others'.
set -euo pipefail
SCRIPT_NAME=recover-orderer
source "$(dirname "$0")/lib.sh"

name=${1:-}; force=false
[ "${2:-}" = "--force" ] && force=true
[ -n "$name" ] || die "usage: recover-orderer.sh NAME [--force] (NAME: one of $(orderer_names | tr '\n' ' '))"
orderer_names | grep -qx -- "$name" || die "$name is not an orderer of the network in $STATE ($(orderer_names | tr '\n' ' '))"
[ "$(orderer_count)" -ge 3 ] || die "recovering $name needs other Raft members to replicate from: the network in $STATE has $(orderer_count) orderer"
fabric_home

data="$STATE/nodes/$name"
admin_tls="$(org_dir Orderer)/users/admin/tls"
osn() { # orderer, osnadmin channel arguments: prints the answer (status line and body)
  local o=$1; shift
  osnadmin channel "$1" --orderer-address "127.0.0.1:$(orderer_field "$o" .adminPort)" --ca-file "$(org_dir Orderer)/ca-cert.pem" \
    --client-cert "$admin_tls/server.crt" --client-key "$admin_tls/server.key" "${@:2}" 2>&1 || true
}
# channel_field ORDERER FIELD: the channel's FIELD (status, height) as that orderer's admin API reports it, or "".
channel_field() {
  osn "$1" list --channelID "$CHANNEL" | sed -n '/^{/,$p' | jq -r ".$2 // empty" 2>/dev/null || true
}
healthy_peer=""
for o in $(orderer_names); do
  [ "$o" != "$name" ] && running "$o" && [ "$(channel_field "$o" status)" = active ] && { healthy_peer=$o; break; }
done
[ -n "$healthy_peer" ] || die "no other orderer serves channel $CHANNEL: nothing to replicate from"

# remove_offline: the orderer does not run and cannot load the channel; its own crash-safe removal drops it as it starts.
remove_offline() {
  # Evidence first: data is thrown away only when the node's own log says the channel's Raft data is unreadable.
  local last_start
  last_start=$(grep -n "Orderer config values" "$LOGS/$name.log" 2>/dev/null | tail -1 | cut -d: -f1 || true)
  if ! $force && ! tail -n +"${last_start:-1}" "$LOGS/$name.log" 2>/dev/null \
      | grep -q "failed to restore persisted raft data\|Failed to create chain support for channel '$CHANNEL'"; then
    die "$name does not run, but its log shows no unreadable Raft data of channel $CHANNEL since its last start: start it with up.sh (or pass --force)"
  fi
  say "$name cannot load channel $CHANNEL ($(tail -n +"${last_start:-1}" "$LOGS/$name.log" | grep -o "failed to restore persisted raft data.*" | head -1 | cut -c1-200)); removing the channel from it"
  mkdir -p "$data/ledger/pendingops/remove"
  : > "$data/ledger/pendingops/remove/$CHANNEL.remove"
}
# remove_online: the orderer runs but does not serve the channel; the participation API removes it.
remove_online() {
  say "$name runs but does not serve channel $CHANNEL: removing it there"
  osn "$name" remove --channelID "$CHANNEL" >> "$LOGS/osnadmin.log"
  for _ in $(seq 1 60); do
    osn "$name" list --channelID "$CHANNEL" | grep -q '^Status: 404' && return 0
    sleep 0.5
  done
  die "$name still lists channel $CHANNEL after its removal"
}
# rejoin: the channel's Raft data set aside, the node started (if it is not running) and joined with the newest config block.
rejoin() {
  # The previous set-aside copy goes, so that repeated recoveries do not fill the disk.
  rm -rf "$data/etcdraft/torn"; mkdir -p "$data/etcdraft/torn"
  for kind in wal snapshot; do
    [ -d "$data/etcdraft/$kind/$CHANNEL" ] && mv "$data/etcdraft/$kind/$CHANNEL" "$data/etcdraft/torn/$kind-$CHANNEL"
  done
  # From a member that serves the channel, as the orderer org's admin (a reader of the channel).
  local join_block="$STATE/channel/$CHANNEL-recover-$name.block"
  (
    export FABRIC_CFG_PATH="$STATE/config" FABRIC_LOGGING_SPEC=error CORE_PEER_LOCALMSPID CORE_PEER_MSPCONFIGPATH
    CORE_PEER_LOCALMSPID=$(c .ordererOrg.mspId); CORE_PEER_MSPCONFIGPATH=$(admin_msp Orderer)
    peer channel fetch config "$join_block" -c "$CHANNEL" -o "127.0.0.1:$(orderer_field "$healthy_peer" .port)" \
      --tls --cafile "$(org_dir Orderer)/ca-cert.pem" >>"$LOGS/peer-cli.log" 2>&1
  ) || { tail -5 "$LOGS/peer-cli.log" >&2; die "could not fetch the newest config block of $CHANNEL from $healthy_peer"; }
  say "joining $name to $CHANNEL with the config block fetched from $healthy_peer (channel height there: $(channel_field "$healthy_peer" height))"
  POSTAL_JOIN_BLOCK=$join_block "$NETWORK_SCRIPTS/up.sh" || die "up.sh could not start and join $name"
}

status=""
running "$name" && status=$(channel_field "$name" status)
case "$status" in
  active) say "$name runs and serves channel $CHANNEL at height $(channel_field "$name" height): nothing to recover"; exit 0 ;;
  # Joined again with a later config block, it pulls blocks as a follower first: let it finish.
  onboarding) say "$name is onboarding channel $CHANNEL (a join in progress): waiting for it" ;;
  *) if running "$name"; then remove_online; else remove_offline; fi
     rejoin ;;
esac

# Caught up: its height reaches the one the healthy member has now (blocks may keep coming after that).
target=$(channel_field "$healthy_peer" height)
for _ in $(seq 1 360); do
  h=$(channel_field "$name" height); s=$(channel_field "$name" status)
  [ "$s" = active ] && [ -n "$h" ] && [ "$h" -ge "$target" ] && break
  sleep 0.5
done
[ "$s" = active ] && [ -n "$h" ] && [ "$h" -ge "$target" ] \
  || die "$name did not catch up within 180 s (status ${s:-none}, height ${h:-none}, $healthy_peer had $target)"
say "$name recovered: channel $CHANNEL active at height $h ($healthy_peer now at $(channel_field "$healthy_peer" height))"
