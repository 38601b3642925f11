#!/usr/bin/env bash
# Builds the consortium's container images here, from what this machine already has (no registry is pulled from):
#   localhost/postal-fabric-ca, -orderer, -peer   FROM scratch: the static Fabric binaries (build-static-fabric.sh)
#   localhost/postal-jre-base:17                  a Debian bookworm minbase root filesystem with openjdk-17-jre-headless
#   localhost/postal-chaincode, -hsm-bridge       FROM the JRE base: the project's jars
# Each image is tagged with the SHA-256 of its inputs (files and Containerfile) and carries it as a label; an image
# whose label matches is not built again. Prints "name=image:tag" lines (the images to run) on stdout.
#
#   containers/build-images.sh [--only fabric|jvm]   (jars: chaincode/target/chaincode.jar, hsm-bridge/target/hsm-bridge.jar)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
say() { echo "build-images: $*" >&2; }
die() { say "$*"; exit 1; }
only=${2:-all}; [ "${1:-}" = --only ] || only=all
command -v podman >/dev/null || die "podman is not installed: run containers/install-container-tools.sh"
podman=(podman ${POSTAL_PODMAN_URL:+--url "$POSTAL_PODMAN_URL"})
started=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# hash_of FILE...: one SHA-256 over the files' names and contents (order as given)
hash_of() { for f in "$@"; do printf '%s\n' "$(basename "$f")"; sha256sum < "$f"; done | sha256sum | cut -c1-16; }
have_image() { "${podman[@]}" image exists "$1" 2>/dev/null; }

# build NAME CONTEXT_DIR: builds localhost/NAME:<hash of the context> unless it exists; prints name=image.
build() {
  local name=$1 ctx=$2 hash image t
  hash=$(cd "$ctx" && find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -c1-16)
  image="localhost/$name:$hash"
  if have_image "$image"; then
    say "$image is current (inputs unchanged)"
  else
    t=$(date +%s%N)
    "${podman[@]}" build -q --label "org.postalfunds.inputs=$hash" -t "$image" -f "$ctx/Containerfile" "$ctx" >/dev/null \
      || die "podman build of $name failed"
    say "$image built in $(ms "$t") ms"
  fi
  echo "$name=$image"
}

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

if [ "$only" != jvm ]; then
  static=$("$here/build-static-fabric.sh" | tail -1)
  # Fabric CA: server and client (the client enrols the org's nodes and admin against its own CA at deploy time).
  mkdir -p "$work/ca/bin" "$work/ca/tmp"
  cp "$static/bin/fabric-ca-server" "$static/bin/fabric-ca-client" "$work/ca/bin/"
  cat > "$work/ca/Containerfile" <<'CF'
FROM scratch
COPY bin/ /usr/local/bin/
COPY tmp/ /tmp/
ENV PATH=/usr/local/bin FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server
ENTRYPOINT ["/usr/local/bin/fabric-ca-server"]
CF
  build postal-fabric-ca "$work/ca"
  # Orderer: orderer and osnadmin (the orderer org's admin joins it to the channel from inside).
  mkdir -p "$work/orderer/bin" "$work/orderer/config" "$work/orderer/tmp"
  cp "$static/bin/orderer" "$static/bin/osnadmin" "$work/orderer/bin/"
  cp "$static/config/orderer.yaml" "$work/orderer/config/"
  cat > "$work/orderer/Containerfile" <<'CF'
FROM scratch
COPY bin/ /usr/local/bin/
COPY config/ /etc/hyperledger/fabric/
COPY tmp/ /tmp/
ENV PATH=/usr/local/bin FABRIC_CFG_PATH=/etc/hyperledger/fabric
ENTRYPOINT ["/usr/local/bin/orderer"]
CF
  build postal-fabric-orderer "$work/orderer"
  # Peer: peer (also the admin CLI), configtxlator (config updates), the chaincode-as-a-service builder.
  mkdir -p "$work/peer/bin" "$work/peer/config" "$work/peer/ccaas/bin" "$work/peer/tmp"
  cp "$static/bin/peer" "$static/bin/configtxlator" "$work/peer/bin/"
  cp "$static"/builders/ccaas/bin/* "$work/peer/ccaas/bin/"
  # core.yaml of the source with no Docker endpoint (chaincode runs as a service, never launched by the peer).
  sed -e "s|endpoint: unix:///var/run/docker.sock|endpoint: \"\"|" "$static/config/core.yaml" > "$work/peer/config/core.yaml"
  cat > "$work/peer/Containerfile" <<'CF'
FROM scratch
COPY bin/ /usr/local/bin/
COPY config/ /etc/hyperledger/fabric/
COPY ccaas/ /opt/hyperledger/ccaas_builder/
COPY tmp/ /tmp/
ENV PATH=/usr/local/bin FABRIC_CFG_PATH=/etc/hyperledger/fabric
ENTRYPOINT ["/usr/local/bin/peer"]
CF
  build postal-fabric-peer "$work/peer"
fi

if [ "$only" != fabric ]; then
  # The JRE base: debootstrap minbase of the Debian mirror apt already uses, plus the headless JRE. Its tag is the
  # hash of what defines it (suite, package list); the root filesystem is made only when that image is missing.
  suite=bookworm; jre_packages=openjdk-17-jre-headless
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mirror=${POSTAL_DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}
  base_hash=$(printf '%s\n' "$suite" "$jre_packages" minbase | sha256sum | cut -c1-16)
  base="localhost/postal-jre-base:17-$base_hash"
  if have_image "$base"; then
    say "$base is current"
  else
    command -v debootstrap >/dev/null || die "debootstrap is not installed: run containers/install-container-tools.sh"
    t=$(date +%s%N)
    rootfs="$work/rootfs"
    debootstrap --variant=minbase --include="$jre_packages" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
      || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | "${podman[@]}" import --change "LABEL org.postalfunds.inputs=$base_hash" - "$base" >/dev/null
    rm -rf "$rootfs"
    say "$base made in $(ms "$t") ms (debootstrap $suite minbase + $jre_packages)"
  fi
  echo "postal-jre-base=$base"
  jar_image() { # name jar [--context-only: the build folder only, the caller adds to it and builds]
    local name=$1 jar=$2
    [ -f "$jar" ] || die "no $jar: build it first (mvn -B -ntp -pl ${name#postal-} -am package -DskipTests)"
    mkdir -p "$work/$name"
    cp "$jar" "$work/$name/app.jar"
    cat > "$work/$name/Containerfile" <<CF
FROM $base
COPY app.jar /opt/postal/app.jar
# The JVM's options and -jar come from the node's definition in its org's bundle.
ENTRYPOINT ["java"]
CF
    [ -n "${3:-}" ] || build "$name" "$work/$name"
  }
  jar_image postal-chaincode "$root/chaincode/target/chaincode.jar"
  if [ -f "$root/hsm-bridge/target/hsm-bridge.jar" ]; then
    # The HSM bridge: the JRE base plus SoftHSM2 (libsofthsm2.so, softhsm2-util, /etc/softhsm/softhsm2.conf with its
    # token folder), unpacked from Debian's packages of the base's suite (fetched once by apt into the cache; the
    # base already has their libraries: libssl3, libsqlite3, libstdc++6). Unpacked, not installed: no RUN step.
    debs="${XDG_CACHE_HOME:-$HOME/.cache}/postal-ledger/debs-softhsm2"
    if ! ls "$debs"/softhsm2_*.deb "$debs"/libsofthsm2_*.deb "$debs"/softhsm2-common_*.deb >/dev/null 2>&1; then
      mkdir -p "$debs"; (cd "$debs" && apt-get -o APT::Sandbox::User=root download softhsm2 libsofthsm2 softhsm2-common >/dev/null) \
        || die "apt-get download of SoftHSM2's packages failed"
    fi
    jar_image postal-hsm-bridge "$root/hsm-bridge/target/hsm-bridge.jar" --context-only
    mkdir -p "$work/postal-hsm-bridge/softhsm/var/lib/softhsm/tokens"
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$work/postal-hsm-bridge/softhsm"; done
    rm -rf "$work/postal-hsm-bridge/softhsm/usr/share/doc" "$work/postal-hsm-bridge/softhsm/usr/share/man"
    touch "$work/postal-hsm-bridge/softhsm/var/lib/softhsm/tokens/.keep"
    # What the package's postinst would do: its configuration (token folder /var/lib/softhsm/tokens) in /etc.
    cp "$work/postal-hsm-bridge/softhsm/usr/share/softhsm/softhsm2.conf" "$work/postal-hsm-bridge/softhsm/etc/softhsm/softhsm2.conf"
    sed -i 's|^COPY app.jar|COPY softhsm/ /\nCOPY app.jar|' "$work/postal-hsm-bridge/Containerfile"
    build postal-hsm-bridge "$work/postal-hsm-bridge"
  fi
fi
say "images ready in $(ms "$started") ms"
