package org.postalfunds.hsm.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.postalfunds.hsm.client.BridgeStats;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;
import org.postalfunds.hsm.dev.DevTlsAuthority;
import org.postalfunds.hsm.pkcs11.PinSource;
import org.postalfunds.hsm.pkcs11.PsdToken;
import org.postalfunds.hsm.pkcs11.TokenConfig;
import org.postalfunds.hsm.server.BridgeConfig;
import org.postalfunds.hsm.server.PsdBridgeServer;

/**
 * Signatures per second, sign latency and CPU per signature through the bridge (gRPC over mutual TLS on
 * 127.0.0.1, audit trail on) against the same token used directly (PsdToken, PKCS#11 by key handle), in one run,
 * at several numbers of requests in flight. Not a test: it prints figures. Run it with {@code hsm-bridge/bench.sh}.
 *
 * <p>Both paths do the same token work (CKM_ECDSA over a 32-byte digest, then low-S DER), so the ratio is
 * the price of the gatekeeper: TLS, HTTP/2, protobuf, access checks and the audit line.
 */
public final class SigningBenchmark {
    private static final String METER = "bench-meter";
    /** Distinct digests cycled through, so no layer can cache a result. */
    private static final int DIGEST_POOL = 4096;
    /** Signatures verified after each run (outside the timing) to prove the figures are of real signatures. */
    private static final int VERIFIED_PER_RUN = 200;
    private static final int MAX_IN_FLIGHT = 256;
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private SigningBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> options = parse(args);
        final Path library = Path.of(options.getOrDefault("library", "/usr/lib/softhsm/libsofthsm2.so"));
        final String label = required(options, "token-label");
        final Path pinFile = Path.of(required(options, "pin-file"));
        final Path workDirectory = Path.of(required(options, "work-dir"));
        final Duration warmUp = Duration.ofSeconds(Long.parseLong(options.getOrDefault("warmup-seconds", "2")));
        final Duration measure = Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", "2")));
        final int rounds = Integer.parseInt(options.getOrDefault("rounds", "3"));
        if (rounds < 1 || rounds > 20) {
            throw new IllegalArgumentException("rounds must be 1 to 20");
        }
        final int[] levels = Arrays.stream(options.getOrDefault("in-flight", "1,4,16,64").split(","))
                .mapToInt(Integer::parseInt).toArray();
        for (final int level : levels) {
            if (level < 1 || level > MAX_IN_FLIGHT) {
                throw new IllegalArgumentException("in-flight levels must be 1 to " + MAX_IN_FLIGHT);
            }
        }
        if (measure.isZero() || measure.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("seconds must be 1 to 300");
        }

        final TokenConfig tokenConfig = TokenConfig.newBuilder().library(library).tokenLabel(label)
                .pinSource(PinSource.file(pinFile)).build();
        try (PsdToken token = PsdToken.open(tokenConfig)) {
            final ECPublicKey publicKey = token.hasMeterKey(METER) ? token.meterKey(METER).publicKey()
                    : token.createMeterKey(METER).publicKey();
            final DevTlsAuthority ca = DevTlsAuthority.create("DataCenter");
            final BridgeConfig bridgeConfig = writeBridgeFiles(ca, workDirectory, library, label, pinFile,
                    options.getOrDefault("worker-threads", "0"), options.get("batch-threads"));
            final int batchSize = Integer.parseInt(options.getOrDefault("batch-size",
                    String.valueOf(PsdBridgeClient.MAX_DIGESTS_PER_REQUEST)));
            final int requestsInFlight = Integer.parseInt(options.getOrDefault("requests-in-flight", "4"));
            final KeyPair clientKeys = DevTlsAuthority.newP256KeyPair();
            final X509Certificate clientCertificate = ca.issueTlsClientCertificate(METER, "client", clientKeys.getPublic());
            final KeyPair operatorKeys = DevTlsAuthority.newP256KeyPair();
            final X509Certificate operatorCertificate =
                    ca.issueTlsClientCertificate("bench-operator", "operator", operatorKeys.getPublic());
            final int connections = Integer.parseInt(options.getOrDefault("connections", "1"));

            try (PsdBridgeServer server = PsdBridgeServer.start(bridgeConfig, token);
                    PsdBridgeClient client = PsdBridgeClient.newBuilder().target("127.0.0.1", server.port())
                            .trustedCertificates(List.of(ca.certificate()))
                            .clientCertificate(clientCertificate, clientKeys.getPrivate())
                            .connections(connections)
                            .signingBatchSize(batchSize)
                            .signingRequestsInFlight(requestsInFlight)
                            .build();
                    PsdBridgeClient operator = PsdBridgeClient.newBuilder().target("127.0.0.1", server.port())
                            .trustedCertificates(List.of(ca.certificate()))
                            .clientCertificate(operatorCertificate, operatorKeys.getPrivate())
                            .build()) {
                final byte[][] digests = digests();
                final SignPath direct = digest -> token.signDigest(METER, digest);
                final SignPath bridge = digest -> client.signDigest(METER, digest);

                // Let the JIT compile every path (the gRPC ones are far larger) before anything is timed.
                final int busiest = Arrays.stream(levels).max().orElse(1);
                for (final SignPath path : List.of(direct, bridge)) {
                    run(path, digests, busiest, warmUp.multipliedBy(2));
                }

                if (options.containsKey("bridge-only-seconds")) {
                    // For a profiler attached from outside: the bridge path alone, at the first level, no table.
                    final Result alone = run(bridge, digests, levels[0],
                            Duration.ofSeconds(Long.parseLong(options.get("bridge-only-seconds"))));
                    System.out.printf(Locale.ROOT, "bridge alone, %d in flight: %.0f sig/s, %.1f cpu us/sig%n", levels[0],
                            alone.perSecond(), alone.cpuMicrosPerSignature());
                    return;
                }
                System.out.printf(Locale.ROOT, "PSD signing benchmark: token '%s' (%s), P-256, %d rounds of %d s per path and"
                        + " level (median sig/s of the rounds, latency over all), %d s warm-up, %d cores%n", label,
                        library.getFileName(), rounds, measure.toSeconds(), warmUp.toSeconds(),
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "bridge = PsdBridgeClient.signDigest over mutual TLS on 127.0.0.1, audit trail on,"
                        + " %d connection(s), %s; bridge workerThreads=%d batchThreads=%d%n%n", connections,
                        batchSize == 1 ? "one SignDigest request per signature"
                                : "concurrent calls coalesced into SignDigests (batches <= " + batchSize + ", "
                                        + requestsInFlight + " requests in flight)",
                        bridgeConfig.workerThreads(), bridgeConfig.batchThreads());
                System.out.printf(Locale.ROOT, "%9s | %28s | %36s | %13s%n", "", "direct (PKCS#11)", "bridge",
                        "bridge/direct");
                System.out.printf(Locale.ROOT, "%9s | %7s %6s %6s %6s | %7s %6s %6s %6s %7s | %6s %6s%n", "in flight",
                        "sig/s", "p50 ms", "p99 ms", "cpu us", "sig/s", "p50 ms", "p99 ms", "cpu us", "sig/req", "sig/s", "cpu");
                for (final int inFlight : levels) {
                    for (final SignPath path : List.of(direct, bridge)) {
                        run(path, digests, inFlight, warmUp);
                    }
                    // Rounds alternate the paths, so a burst of load from elsewhere on the machine hits all of them.
                    final List<Result> directRounds = new ArrayList<>();
                    final List<Result> bridgeRounds = new ArrayList<>();
                    final long requestsBefore = signingRequests(operator);
                    for (int round = 0; round < rounds; round++) {
                        directRounds.add(run(direct, digests, inFlight, measure));
                        bridgeRounds.add(run(bridge, digests, inFlight, measure));
                    }
                    final Result directResult = Result.combine(directRounds);
                    final Result bridgeResult = Result.combine(bridgeRounds);
                    final long requests = signingRequests(operator) - requestsBefore;
                    verify(publicKey, directResult, "direct");
                    verify(publicKey, bridgeResult, "bridge");
                    System.out.printf(Locale.ROOT, "%9d | %7.0f %6.3f %6.3f %6.1f | %7.0f %6.3f %6.3f %6.1f %7.1f | %6.2f %6.2f%n",
                            inFlight,
                            directResult.perSecond(), directResult.percentileMillis(50), directResult.percentileMillis(99),
                            directResult.cpuMicrosPerSignature(),
                            bridgeResult.perSecond(), bridgeResult.percentileMillis(50), bridgeResult.percentileMillis(99),
                            bridgeResult.cpuMicrosPerSignature(), (double) bridgeResult.signatures() / Math.max(1, requests),
                            bridgeResult.perSecond() / directResult.perSecond(),
                            directResult.cpuMicrosPerSignature() / bridgeResult.cpuMicrosPerSignature());
                }
                System.out.printf(Locale.ROOT, "%ncpu us = CPU time of the whole process (caller, bridge and token) per"
                        + " signature; sig/req = signatures per request the bridge received (SignDigest and SignDigests);"
                        + "%nbridge/direct cpu = direct cpu us / bridge cpu us, the ratio a machine of its own would show"
                        + " once CPU-bound%n");
            }
        }
    }

    /** One way to get a digest signed. */
    @FunctionalInterface
    private interface SignPath {
        byte[] sign(byte[] digest) throws Exception;
    }

    /** Keeps {@code inFlight} requests outstanding (one blocking caller each) for the duration. */
    private static Result run(final SignPath path, final byte[][] digests, final int inFlight, final Duration duration)
            throws Exception {
        final List<long[]> latencies = new ArrayList<>();
        final long[] counts = new long[inFlight];
        final byte[][][] samples = new byte[inFlight][][];
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        final long[] deadline = new long[1];
        for (int t = 0; t < inFlight; t++) {
            final int index = t;
            final long[] own = new long[1 << 20];
            latencies.add(own);
            samples[index] = new byte[VERIFIED_PER_RUN / inFlight + 1][];
            final Thread thread = new Thread(() -> {
                try {
                    start.await();
                    long count = 0;
                    int next = index * 997;
                    while (System.nanoTime() < deadline[0]) {
                        final byte[] digest = digests[next++ % DIGEST_POOL];
                        final long began = System.nanoTime();
                        final byte[] signature = path.sign(digest);
                        final long took = System.nanoTime() - began;
                        if (count < own.length) {
                            own[(int) count] = took;
                        }
                        if (count < samples[index].length) {
                            samples[index][(int) count] = concat(digest, signature);
                        }
                        count++;
                    }
                    counts[index] = count;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "bench-" + t);
            threads.add(thread);
            thread.start();
        }
        final long cpuBefore = PROCESS.getProcessCpuTime();
        final long began = System.nanoTime();
        deadline[0] = began + duration.toNanos();
        start.countDown();
        for (final Thread thread : threads) {
            thread.join();
        }
        final long elapsed = System.nanoTime() - began;
        final long cpuNanos = PROCESS.getProcessCpuTime() - cpuBefore;
        if (failure.get() != null) {
            throw new IllegalStateException("a signature failed during the benchmark", failure.get());
        }
        long total = 0;
        for (final long count : counts) {
            total += count;
        }
        final long[] all = new long[(int) Math.min(total, Integer.MAX_VALUE - 8)];
        int filled = 0;
        for (int t = 0; t < inFlight; t++) {
            final int n = (int) Math.min(counts[t], latencies.get(t).length);
            System.arraycopy(latencies.get(t), 0, all, filled, n);
            filled += n;
        }
        final long[] recorded = Arrays.copyOf(all, filled);
        Arrays.sort(recorded);
        final List<byte[]> verified = new ArrayList<>();
        for (final byte[][] perThread : samples) {
            for (final byte[] sample : perThread) {
                if (sample != null) {
                    verified.add(sample);
                }
            }
        }
        return new Result(total * 1e9 / elapsed, total == 0 ? Double.NaN : cpuNanos / 1e3 / total, recorded, verified,
                total);
    }

    /** Signing requests the bridge has answered so far, single and batched. */
    private static long signingRequests(final PsdBridgeClient operator) {
        final BridgeStats stats = operator.stats();
        return stats.total("SignDigest") + stats.total("SignDigests");
    }

    private static void verify(final ECPublicKey publicKey, final Result result, final String path)
            throws Exception {
        for (final byte[] sample : result.samples()) {
            final byte[] digest = Arrays.copyOfRange(sample, 0, 32);
            final byte[] signature = Arrays.copyOfRange(sample, 32, sample.length);
            final Signature verifier = Signature.getInstance("NONEwithECDSA");
            verifier.initVerify(publicKey);
            verifier.update(digest);
            if (!verifier.verify(signature) || !EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder())) {
                throw new IllegalStateException(path + " produced a signature that does not verify or is high-S");
            }
        }
    }

    /**
     * @param cpuMicrosPerSignature CPU time of the whole process (caller, bridge and token alike) per signature:
     *     unlike sig/s, hardly moved by load from other processes on the machine
     */
    private record Result(double perSecond, double cpuMicrosPerSignature, long[] sortedLatencyNanos, List<byte[]> samples,
            long signatures) {
        /** Median throughput and CPU cost of the rounds; latencies and samples of all rounds together. */
        static Result combine(final List<Result> rounds) {
            final double median = median(rounds.stream().mapToDouble(Result::perSecond).sorted().toArray());
            final double cpu = median(rounds.stream().mapToDouble(Result::cpuMicrosPerSignature).sorted().toArray());
            final long[] latencies = rounds.stream().flatMapToLong(r -> Arrays.stream(r.sortedLatencyNanos())).sorted().toArray();
            final List<byte[]> samples = new ArrayList<>();
            rounds.forEach(r -> samples.addAll(r.samples()));
            return new Result(median, cpu, latencies, samples, rounds.stream().mapToLong(Result::signatures).sum());
        }

        private static double median(final double[] sorted) {
            return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }

        double percentileMillis(final int percentile) {
            if (sortedLatencyNanos.length == 0) {
                return Double.NaN;
            }
            final int index = (int) Math.min(sortedLatencyNanos.length - 1,
                    Math.ceil(percentile / 100.0 * sortedLatencyNanos.length) - 1);
            return sortedLatencyNanos[Math.max(0, index)] / 1e6;
        }
    }

    private static BridgeConfig writeBridgeFiles(final DevTlsAuthority ca, final Path directory, final Path library,
            final String label, final Path pinFile, final String workerThreads, final String batchThreads)
            throws Exception {
        Files.createDirectories(directory);
        final KeyPair serverKeys = DevTlsAuthority.newP256KeyPair();
        final X509Certificate serverCertificate = ca.issueTlsServerCertificate("psd-bridge",
                List.of("localhost", "127.0.0.1"), serverKeys.getPublic());
        Pem.writeCertificates(directory.resolve("ca.pem"), List.of(ca.certificate()));
        Pem.writeCertificates(directory.resolve("bridge.pem"), List.of(serverCertificate));
        Pem.writePrivateKey(directory.resolve("bridge-key.pem"), serverKeys.getPrivate());
        final Map<String, String> settings = new HashMap<>();
        settings.put("bridge.host", "127.0.0.1");
        settings.put("bridge.port", "0");
        settings.put("tls.certificateFile", "bridge.pem");
        settings.put("tls.privateKeyFile", "bridge-key.pem");
        settings.put("tls.clientCaFile", "ca.pem");
        settings.put("token.library", library.toString());
        settings.put("token.label", label);
        settings.put("token.pinFile", pinFile.toString());
        settings.put("audit.file", "bench-audit.log");
        settings.put("bridge.workerThreads", workerThreads);
        if (batchThreads != null) {
            settings.put("bridge.batchThreads", batchThreads);
        }
        return BridgeConfig.fromValues(settings, directory, System.getenv());
    }

    private static byte[][] digests() {
        final SecureRandom random = new SecureRandom();
        final byte[][] digests = new byte[DIGEST_POOL][32];
        for (final byte[] digest : digests) {
            random.nextBytes(digest);
        }
        return digests;
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static Map<String, String> parse(final String[] args) {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: SigningBenchmark --token-label L --pin-file F --work-dir D"
                        + " [--library L] [--seconds 2] [--rounds 3] [--warmup-seconds 2] [--in-flight 1,4,16,64] [--worker-threads 0]"
                        + " [--batch-threads N] [--connections 1] [--batch-size 64] [--requests-in-flight 4]");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(final Map<String, String> options, final String name) {
        final String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }
}
