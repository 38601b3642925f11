#!/usr/bin/env bash
# Builds Fabric's binaries (peer, orderer, configtxgen, configtxlator, osnadmin, the chaincode-as-a-service
# builder) and Fabric CA's (fabric-ca-server, fabric-ca-client) from source, into a cache outside the clone
# keyed by version and source checksum, so a second run builds nothing.
#
#   test-network/install-fabric.sh [SOURCE_DIR]
#
# SOURCE_DIR holds fabric-3.1.5-src.tar.gz and fabric-ca-1.5.21-src.tar.gz (default: ../shared/fabric next to
# the clone, or $POSTAL_FABRIC_SOURCE). Elsewhere, point FABRIC_CHECKOUT and FABRIC_CA_CHECKOUT at git checkouts
# of the same tags instead; their commits are checked in place of the checksums.
# Prints the cache folder (bin/, builders/ccaas/bin/, config/) on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=fabric-version.env
source "$here/fabric-version.env"

say() { echo "install-fabric: $*" >&2; }
die() { say "$*"; exit 1; }

fabric_checkout="${FABRIC_CHECKOUT:-}"
ca_checkout="${FABRIC_CA_CHECKOUT:-}"
# The cache key comes from the pins, so a cached build needs no source at all.
if [ -n "$fabric_checkout" ]; then
  key="${FABRIC_COMMIT:0:12}-${FABRIC_CA_COMMIT:0:12}"
else
  key="${FABRIC_SOURCE_SHA256:0:12}-${FABRIC_CA_SOURCE_SHA256:0:12}"
fi
cache="${POSTAL_LEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postal-ledger}/fabric-${FABRIC_VERSION}-ca-${FABRIC_CA_VERSION}-${key}"
if [ -f "$cache/.complete" ]; then
  say "Fabric ${FABRIC_VERSION} and Fabric CA ${FABRIC_CA_VERSION} cached in $cache"
  echo "$cache"
  exit 0
fi

if [ -n "$fabric_checkout" ]; then
  [ -n "$ca_checkout" ] || die "FABRIC_CHECKOUT given without FABRIC_CA_CHECKOUT"
  for pair in "$fabric_checkout:$FABRIC_COMMIT" "$ca_checkout:$FABRIC_CA_COMMIT"; do
    dir=${pair%:*}; want=${pair##*:}
    got=$(git -C "$dir" rev-parse HEAD 2>/dev/null) || die "$dir is not a git checkout"
    [ "$got" = "$want" ] || die "$dir is at commit $got, expected $want"
  done
else
  # The source: the folder given, else ../shared/fabric beside the clone (our machines keep it there).
  source_dir="${1:-${POSTAL_FABRIC_SOURCE:-}}"
  if [ -z "$source_dir" ]; then
    for candidate in "$here/../../shared/fabric" "$here/../../../shared/fabric" /work/shared/fabric; do
      [ -f "$candidate/$FABRIC_SOURCE" ] && { source_dir=$candidate; break; }
    done
  fi
  [ -n "$source_dir" ] && [ -d "$source_dir" ] || die "no Fabric source found (looked for $FABRIC_SOURCE in ../shared/fabric and /work/shared/fabric); pass the folder holding it: install-fabric.sh SOURCE_DIR"
  source_dir=$(cd "$source_dir" && pwd)
  for f in "$FABRIC_SOURCE" "$FABRIC_CA_SOURCE"; do
    [ -f "$source_dir/$f" ] || die "$source_dir/$f is missing"
  done
fi

command -v go >/dev/null || die "'go' is not on PATH; install Go 1.26 or newer first"
command -v gcc >/dev/null || die "'gcc' is not on PATH (Fabric CA builds SQLite with cgo); apt-get install gcc"
start=$(date +%s)
if [ -z "$fabric_checkout" ]; then
  say "verifying the source checksums"
  echo "$FABRIC_SOURCE_SHA256  $source_dir/$FABRIC_SOURCE" | sha256sum -c --quiet - \
    || die "$FABRIC_SOURCE does not match its pinned SHA-256 ($FABRIC_SOURCE_SHA256)"
  echo "$FABRIC_CA_SOURCE_SHA256  $source_dir/$FABRIC_CA_SOURCE" | sha256sum -c --quiet - \
    || die "$FABRIC_CA_SOURCE does not match its pinned SHA-256 ($FABRIC_CA_SOURCE_SHA256)"
fi

# Build in a fresh folder beside the cache, then move it into place: an interrupted build leaves no half cache.
build="$cache.building.$$"
rm -rf "$build"
mkdir -p "$build/bin" "$build/builders/ccaas/bin" "$build/src"
trap 'rm -rf "$build"' EXIT
if [ -n "$fabric_checkout" ]; then
  fabric_src=$(cd "$fabric_checkout" && pwd); ca_src=$(cd "$ca_checkout" && pwd)
else
  say "unpacking the source"
  tar -xzf "$source_dir/$FABRIC_SOURCE" -C "$build/src"
  tar -xzf "$source_dir/$FABRIC_CA_SOURCE" -C "$build/src"
  fabric_src="$build/src/fabric-${FABRIC_VERSION}"
  ca_src="$build/src/fabric-ca-${FABRIC_CA_VERSION}"
  [ -d "$fabric_src/cmd/peer" ] || fabric_src=$(dirname "$(find "$build/src" -maxdepth 3 -path '*/cmd/peer' -type d | head -1)")/..
  [ -d "$ca_src/cmd/fabric-ca-server" ] || ca_src=$(dirname "$(find "$build/src" -maxdepth 3 -path '*/cmd/fabric-ca-server' -type d | head -1)")/..
fi

# Go's own chatter (module downloads) goes to a log, shown only when a build fails.
golog="$build/go-build.log"
quiet() { "$@" >>"$golog" 2>&1 || { cat "$golog" >&2; die "build failed: $*"; }; }

metadata=github.com/hyperledger/fabric/common/metadata
say "building peer orderer configtxgen configtxlator osnadmin (vendored modules; about 2 min cold)"
quiet env -C "$fabric_src" GOFLAGS=-mod=vendor go build -buildvcs=false \
  -ldflags "-X $metadata.Version=${FABRIC_VERSION} -X $metadata.CommitSHA=${FABRIC_COMMIT:0:7}" \
  -o "$build/bin/" ./cmd/peer ./cmd/orderer ./cmd/configtxgen ./cmd/configtxlator ./cmd/osnadmin

say "building the chaincode-as-a-service builder (detect build release)"
quiet env -C "$fabric_src/ccaas_builder" GOFLAGS= go build -buildvcs=false -o "$build/builders/ccaas/bin/" \
  ./cmd/detect ./cmd/build ./cmd/release

say "building fabric-ca-server fabric-ca-client (modules from the proxy; about 1.5 min cold)"
quiet env -C "$ca_src" GOFLAGS=-mod=mod go build -buildvcs=false \
  -ldflags "-X github.com/hyperledger/fabric-ca/lib/metadata.Version=${FABRIC_CA_VERSION}" \
  -o "$build/bin/" ./cmd/fabric-ca-server ./cmd/fabric-ca-client

# The sample configuration the network scripts start from (overridden by environment variables).
cp -r "$fabric_src/sampleconfig" "$build/config"

for c in peer orderer configtxgen configtxlator osnadmin fabric-ca-server fabric-ca-client; do
  [ -x "$build/bin/$c" ] || die "$c missing after the build"
done
for c in detect build release; do
  [ -x "$build/builders/ccaas/bin/$c" ] || die "ccaas builder $c missing after the build"
done
"$build/bin/peer" version | grep -q "Version: ${FABRIC_VERSION}" || die "peer does not report version ${FABRIC_VERSION}"

rm -rf "$build/src" "$golog"
rm -rf "$cache"
mv "$build" "$cache"
trap - EXIT
date -u +%FT%TZ > "$cache/.complete"
say "built in $(( $(date +%s) - start )) s into $cache"
echo "$cache"
