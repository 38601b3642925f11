#!/usr/bin/env bash
# Initialises a SoftHSM2 token in the first free slot, its PINs read from owner-only files and never put on a
# command line (where `ps` and /proc/PID/cmdline would show them to every user of the machine).
#
#   hsm-bridge/init-token.sh LABEL SO_PIN_FILE USER_PIN_FILE      # SOFTHSM2_CONF as softhsm2-util uses it
#
# softhsm2-util reads a PIN it was not given on its command line from its terminal, and only from a terminal, so
# the PINs are typed into a pseudo-terminal of their own (util-linux `script`, present on every Debian). That
# terminal echoes what is typed before softhsm2-util turns echo off, so its output is discarded, not shown.
# Exit codes: 0 the token is initialised, 1 softhsm2-util failed (its message names why, PINs masked), 2 usage.
set -euo pipefail

if [ $# -ne 3 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
label=$1 so_pin_file=$2 pin_file=$3
for file in "$so_pin_file" "$pin_file"; do
  [ -r "$file" ] || { echo "init-token: cannot read the PIN file $file" >&2; exit 2; }
  length=$(wc -c <"$file")
  # softhsm2-util asks again, forever, for a PIN outside 4-255 characters: refuse it here instead.
  if [ "$length" -lt 4 ] || [ "$length" -gt 256 ]; then
    echo "init-token: the PIN in $file must have 4 to 255 characters" >&2; exit 2
  fi
  case "$(stat -c %a "$file")" in
    400|600) ;;
    *) echo "init-token: $file must be readable by its owner only (chmod 600), is $(stat -c %a "$file")" >&2; exit 2 ;;
  esac
done
case "$label" in
  ''|*[!A-Za-z0-9._-]*) echo "init-token: a label of letters, digits, '.', '_' and '-' only, got '$label'" >&2; exit 2 ;;
esac
command -v softhsm2-util >/dev/null || { echo "init-token: softhsm2-util is missing: apt-get install -y softhsm2" >&2; exit 1; }
command -v script >/dev/null || { echo "init-token: script (util-linux) is missing" >&2; exit 1; }

# Each PIN twice (entered, then re-entered), one per line; read by builtins, so no process ever has one as an argument.
pins() {
  local so pin
  so=$(<"$so_pin_file"); pin=$(<"$pin_file")
  printf '%s\n%s\n%s\n%s\n' "$so" "$so" "$pin" "$pin"
}
output=$(mktemp)
trap 'rm -f "$output"' EXIT
if ! pins | timeout 60 script -qec "softhsm2-util --init-token --free --label $label" /dev/null >"$output" 2>&1; then
  # Only softhsm2-util's own messages, never the echoed input.
  grep -E '^(ERROR|The token)' "$output" | sed 's/^/init-token: /' >&2 || true
  echo "init-token: softhsm2-util could not initialise token '$label'" >&2
  exit 1
fi
grep -q '^The token has been initialized' "$output" || { echo "init-token: softhsm2-util did not confirm token '$label'" >&2; exit 1; }
echo "token '$label' initialised (PINs read from $so_pin_file and $pin_file)"
