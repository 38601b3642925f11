#!/usr/bin/env bash
# Signing benchmark: the PSD bridge (gRPC over mutual TLS, the client coalescing concurrent calls into
# SignDigests) against direct PKCS#11 (PsdToken), on a throw-away SoftHSM2 token. Prints, per number in flight,
# signatures/s, p50/p99 latency, CPU per signature, signatures per request and the ratios bridge/direct.
#
#   hsm-bridge/bench.sh                       # 3 rounds of 2 s per path, 1, 4, 16 and 64 in flight (~80 s)
#   hsm-bridge/bench.sh --batch-size 1        # one SignDigest request per signature (no coalescing)
#   hsm-bridge/bench.sh --seconds 5 --rounds 5 --in-flight 1,8,32 --connections 2 --requests-in-flight 2
#   hsm-bridge/bench.sh --in-flight 16 --bridge-only-seconds 20   # bridge path alone, for a profiler (perf)
#   hsm-bridge/bench.sh --token-growth 10,50,100,200,400 [--max-minutes 30]   # enrolment and signing as the token
#                                             # fills: ms per meter and us per signature at each count (issue 17)
set -euo pipefail

module_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root_dir="$(dirname "$module_dir")"
library="${PSD_PKCS11_LIBRARY:-/usr/lib/softhsm/libsofthsm2.so}"

if ! command -v softhsm2-util >/dev/null || [[ ! -f "$library" ]]; then
  echo "SoftHSM2 is missing: apt-get install -y softhsm2" >&2
  exit 1
fi
work="$(mktemp -d -t psd-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# The benchmark and its throw-away TLS authority are test code (src/test/java/.../bench, .../dev): they stay out of
# the bridge's production jar. Compile them and take the module's test class path from the reactor.
(cd "$root_dir" && mvn -B -q -ntp -pl hsm-bridge -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" 2>&1 | sed "s/\x1b\[[0-9;]*m//g")
classpath="$module_dir/target/test-classes:$module_dir/target/classes:$(cat "$work/classpath.txt")"
mkdir -p "$work/tokens"
cat > "$work/softhsm2.conf" <<CONF
directories.tokendir = $work/tokens
objectstore.backend = file
log.level = ERROR
CONF
export SOFTHSM2_CONF="$work/softhsm2.conf"

# Fresh PINs per run, in owner-only files, never on a command line (softhsm2-util's nor the JVM's).
( umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$work/token.pin" \
    && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' > "$work/so.pin" )
"$module_dir/init-token.sh" psd-bench "$work/so.pin" "$work/token.pin" >/dev/null

# A fixed heap keeps young-GC pauses out of the p99 of both paths alike; PSD_BENCH_JAVA_OPTS adds flags (e.g. JFR).
main_class=org.postalfunds.hsm.bench.SigningBenchmark
if [[ "${1:-}" == --token-growth ]]; then
  main_class=org.postalfunds.hsm.bench.TokenGrowthBenchmark
fi
java --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED -Xms1g -Xmx1g ${PSD_BENCH_JAVA_OPTS:-} \
  -cp "$classpath" "$main_class" \
  --library "$library" --token-label psd-bench --pin-file "$work/token.pin" --work-dir "$work" "$@"
