#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what the tests need (Debian packages, Fabric's binaries built from
# source), then the whole Maven build: unit and property tests, the tests on a real SoftHSM2 token over real TLS,
# the browser tests, and the integration tests on the real Fabric network. The first module that needs the
# network starts it (test-network/up.sh, deploy.sh); every later one reuses it; it is torn down at the end, and
# the run fails if any network process or port is left behind.
set -euo pipefail
cd "$(dirname "$0")"
test-network/install-packages.sh
# The container mode runs in every run too (meter-client ConsortiumInContainersTest): podman, runc, debootstrap.
containers/install-container-tools.sh
test-network/install-fabric.sh >/dev/null
if [ -f .network/network.json ]; then
  echo "test.sh: a network from an earlier run is in .network/; tearing it down first" >&2
  test-network/down.sh
fi
status=0
POSTAL_NETWORK_KEEP=true mvn -B -ntp verify "$@" || status=$?
test-network/down.sh --keep-logs target/network-logs || status=$?
exit $status
