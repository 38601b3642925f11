#!/usr/bin/env bash
# Builds Fabric's own binaries with `go install` at the pinned release (test-network/fabric-version.env)
# into a cache outside the clone, keyed by version, so a second run skips the build.
# Prints the bin directory on its last line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=fabric-version.env
source "$here/fabric-version.env"

command -v go >/dev/null || { echo "install-fabric: 'go' is not on PATH; install Go (1.22 or newer) first" >&2; exit 1; }

cache="${POSTAL_LEDGER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/postal-ledger}/fabric-${FABRIC_VERSION}"
bin="$cache/bin"
main_commands=(peer orderer configtxgen configtxlator osnadmin cryptogen)
builder_commands=(detect build release)

if [ -f "$cache/.complete" ]; then
  echo "install-fabric: Fabric ${FABRIC_VERSION} binaries cached in $bin"
  echo "$bin"
  exit 0
fi
mkdir -p "$bin"

# go install each package at one version; reports the proxy's refusal in one clear sentence.
install_at() {
  local module=$1 version=$2; shift 2
  local packages=()
  for c in "$@"; do packages+=("$module/$c@$version"); done
  local log="$cache/go-install.log"
  if GOBIN="$bin" go install "${packages[@]}" >"$log" 2>&1; then
    return 0
  fi
  if grep -q '403 Forbidden' "$log"; then
    return 3
  fi
  cat "$log" >&2
  return 1
}

start=$(date +%s)
# The pinned commit, the same commit as a pseudo-version, then the 2.5 fallback release.
for version in "$FABRIC_COMMIT" "$FABRIC_PSEUDO_VERSION" "$FABRIC_FALLBACK_COMMIT"; do
  echo "install-fabric: building ${main_commands[*]} at $version (first run downloads the modules; about 1-3 min)"
  status=0
  install_at github.com/hyperledger/fabric "$version" $(printf 'cmd/%s ' "${main_commands[@]}") || status=$?
  [ "$status" -eq 0 ] && break
done
if [ "$status" -eq 3 ]; then
  cat >&2 <<MSG
install-fabric: the Go module proxy refuses Fabric ${FABRIC_VERSION} and the fallback ${FABRIC_FALLBACK_VERSION}:
  go install github.com/hyperledger/fabric/cmd/peer@${FABRIC_COMMIT}
  -> 403 Forbidden: "This module version is not available."
  (the same at ${FABRIC_PSEUDO_VERSION} and at ${FABRIC_FALLBACK_COMMIT})
The local network cannot be built on this machine until the proxy serves github.com/hyperledger/fabric
at that release. Details: $cache/go-install.log
MSG
  exit 3
fi
[ "$status" -eq 0 ] || exit "$status"

echo "install-fabric: building the chaincode-as-a-service builder (${builder_commands[*]})"
install_at github.com/hyperledger/fabric/ccaas_builder "$version" $(printf 'cmd/%s ' "${builder_commands[@]}")

for c in "${main_commands[@]}" "${builder_commands[@]}"; do
  [ -x "$bin/$c" ] || { echo "install-fabric: $c missing from $bin after the build" >&2; exit 1; }
done
echo "$version" > "$cache/.complete"
echo "install-fabric: built in $(( $(date +%s) - start )) s"
echo "$bin"
