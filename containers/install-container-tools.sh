#!/usr/bin/env bash
# Installs what the container mode needs, only when it is asked for (the native default needs none of it):
#   podman, runc: the container engine and the OCI runtime that works here (crun fails on cgroups/setrlimit);
#   debootstrap:  builds the JVM images' Debian root filesystem locally (no registry can be pulled from).
# Then writes the containers.conf settings podman needs on these machines (../shared/FIELD-NOTES.md):
# runc as the runtime, default ulimits within the machine's hard limits, and exec sessions cleaned up after 10 s. Idempotent.
set -euo pipefail
say() { echo "install-container-tools: $*" >&2; }
die() { say "$*"; exit 1; }

packages=(podman runc debootstrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "need root or sudo to install ${missing[*]:-} and write /etc/containers/containers.conf"
  sudo="sudo"
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
  for p in "${missing[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || die "$p did not install"
  done
else
  say "${packages[*]} already installed"
fi

conf=/etc/containers/containers.conf
if ! grep -q '^runtime = "runc"' "$conf" 2>/dev/null || ! grep -q '^default_ulimits = \["nofile=20000:20000"' "$conf" 2>/dev/null \
    || ! grep -q '^exit_command_delay = 10$' "$conf" 2>/dev/null; then
  [ -s "$conf" ] && ! grep -q 'postal-ledger' "$conf" && $sudo cp "$conf" "$conf.before-postal-ledger"
  $sudo mkdir -p /etc/containers
  $sudo tee "$conf" >/dev/null <<'CONF'
# Written by postal-ledger containers/install-container-tools.sh: crun fails here on cgroups and setrlimit,
# and podman's default ulimits exceed this machine's hard limits. The API service keeps a conmon per finished exec
# session for exit_command_delay seconds (300 by default): 10, so that a test run leaves none behind for long.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
exit_command_delay = 10
CONF
  say "wrote $conf (runc, ulimits within the hard limits, exec sessions cleaned up after 10 s)"
fi
