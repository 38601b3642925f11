#!/usr/bin/env bash
# Builds static copies of Fabric's and Fabric CA's binaries for the `FROM scratch` images, from the same
# checksummed source as test-network/install-fabric.sh (whose native binaries are dynamically linked), into a
# cache beside it. Fabric: CGO_ENABLED=0. Fabric CA needs cgo for SQLite: linked statically (netgo, osusergo).
# Prints the cache folder (bin/, builders/ccaas/bin/, config/) on its last line; a second run builds nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../test-network/fabric-version.env"
say() { echo "build-static-fabric: $*" >&2; }
die() { say "$*"; exit 1; }

key="${FABRIC_SOURCE_SHA256:0:12}-${FABRIC_CA_SOURCE_SHA256:0:12}"
cache="${POSTAL_LEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postal-ledger}/fabric-${FABRIC_VERSION}-ca-${FABRIC_CA_VERSION}-${key}-static"
if [ -f "$cache/.complete" ]; then say "static binaries cached in $cache"; echo "$cache"; exit 0; fi

source_dir="${POSTAL_FABRIC_SOURCE:-}"
if [ -z "$source_dir" ]; then
  for candidate in "$here/../../shared/fabric" "$here/../../../shared/fabric" /work/shared/fabric; do
    [ -f "$candidate/$FABRIC_SOURCE" ] && { source_dir=$candidate; break; }
  done
fi
[ -n "$source_dir" ] || die "no Fabric source found (set POSTAL_FABRIC_SOURCE to the folder holding $FABRIC_SOURCE)"
echo "$FABRIC_SOURCE_SHA256  $source_dir/$FABRIC_SOURCE" | sha256sum -c --quiet - || die "$FABRIC_SOURCE checksum mismatch"
echo "$FABRIC_CA_SOURCE_SHA256  $source_dir/$FABRIC_CA_SOURCE" | sha256sum -c --quiet - || die "$FABRIC_CA_SOURCE checksum mismatch"

start=$(date +%s)
build="$cache.building.$$"
rm -rf "$build"; mkdir -p "$build/bin" "$build/builders/ccaas/bin" "$build/src"
trap 'rm -rf "$build"' EXIT
tar -xzf "$source_dir/$FABRIC_SOURCE" -C "$build/src"
tar -xzf "$source_dir/$FABRIC_CA_SOURCE" -C "$build/src"
fabric_src="$build/src/fabric-${FABRIC_VERSION}"; ca_src="$build/src/fabric-ca-${FABRIC_CA_VERSION}"
golog="$build/go-build.log"
quiet() { "$@" >>"$golog" 2>&1 || { tail -40 "$golog" >&2; die "build failed: $*"; }; }

metadata=github.com/hyperledger/fabric/common/metadata
say "building static peer orderer osnadmin configtxlator"
quiet env -C "$fabric_src" CGO_ENABLED=0 GOFLAGS=-mod=vendor go build -buildvcs=false \
  -ldflags "-X $metadata.Version=${FABRIC_VERSION} -X $metadata.CommitSHA=${FABRIC_COMMIT:0:7}" \
  -o "$build/bin/" ./cmd/peer ./cmd/orderer ./cmd/osnadmin ./cmd/configtxlator
quiet env -C "$fabric_src/ccaas_builder" CGO_ENABLED=0 GOFLAGS= go build -buildvcs=false -o "$build/builders/ccaas/bin/" \
  ./cmd/detect ./cmd/build ./cmd/release
say "building static fabric-ca-server fabric-ca-client (cgo for SQLite, linked statically)"
quiet env -C "$ca_src" CGO_ENABLED=1 GOFLAGS=-mod=mod go build -buildvcs=false -tags "netgo osusergo" \
  -ldflags "-X github.com/hyperledger/fabric-ca/lib/metadata.Version=${FABRIC_CA_VERSION} -linkmode external -extldflags -static" \
  -o "$build/bin/" ./cmd/fabric-ca-server ./cmd/fabric-ca-client
cp -r "$fabric_src/sampleconfig" "$build/config"
for b in "$build"/bin/* "$build"/builders/ccaas/bin/*; do
  file -b "$b" | grep -q 'statically linked' || die "$(basename "$b") is not statically linked: $(file -b "$b")"
done
rm -rf "$build/src" "$golog"; rm -rf "$cache"; mv "$build" "$cache"; trap - EXIT
date -u +%FT%TZ > "$cache/.complete"
say "built in $(( $(date +%s) - start )) s into $cache"
echo "$cache"
