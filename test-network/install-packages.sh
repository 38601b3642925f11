#!/usr/bin/env bash
# Installs the Debian packages the tests and the local network need (idempotent: skips what is there).
#   softhsm2: the PKCS#11 token that holds each meter's PSD key in dev and CI.
#   jq:       reads the consortium description (network/consortium.json) in the network scripts.
#   chromium, chromium-driver: the headless browser the web console's end-to-end tests drive (Selenium).
set -euo pipefail

packages=(softhsm2 jq chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-packages: ${packages[*]} already installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-packages: need root or sudo to apt-get install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-packages: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
  || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
for p in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || { echo "install-packages: $p did not install" >&2; exit 1; }
done
echo "install-packages: installed ${missing[*]}"
