#!/usr/bin/env bash
# Runs every test from a fresh clone: installs what the tests need, then the whole Maven build
# (unit tests, property tests, and the integration tests on a real SoftHSM2 token over real TLS).
set -euo pipefail
cd "$(dirname "$0")"
test-network/install-packages.sh
mvn -B -ntp verify "$@"
