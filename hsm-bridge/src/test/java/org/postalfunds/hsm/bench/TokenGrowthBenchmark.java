package org.postalfunds.hsm.bench;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.enrol.OrgCertificateAuthority;
import org.postalfunds.hsm.pkcs11.PinSource;
import org.postalfunds.hsm.pkcs11.PsdToken;
import org.postalfunds.hsm.pkcs11.TokenConfig;

/**
 * Meter enrolment and signing as the token fills (issue 17): enrols meters one after another in a fresh SoftHSM2 token
 * (key pair, CSR signed in the token, a certificate from the dev meter CA imported) and prints, at each checkpoint, the
 * time per meter of the last meters enrolled, split into its steps, and the time of one signature; at the end the
 * token is closed and opened again and every meter's key is looked up. Run it through {@code hsm-bridge/bench.sh
 * --token-growth 50,100,200,400}; {@code --max-minutes} stops a run that grows too slow (the old KeyStore path).
 */
public final class TokenGrowthBenchmark {
    /** Meters timed before each checkpoint: enough to average out one slow file system call. */
    private static final int WINDOW = 10;
    private static final int SIGNATURES = 2_000;

    private TokenGrowthBenchmark() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        final Path library = Path.of(options.getOrDefault("library", "/usr/lib/softhsm/libsofthsm2.so"));
        final int[] checkpoints = Arrays.stream(options.getOrDefault("token-growth", "10,50,100,200,400").split(","))
                .mapToInt(Integer::parseInt).sorted().toArray();
        final long deadline = System.nanoTime()
                + (long) (Double.parseDouble(options.getOrDefault("max-minutes", "30")) * 60e9);
        final TokenConfig config = TokenConfig.newBuilder().library(library)
                .tokenLabel(options.get("token-label")).pinSource(PinSource.file(Path.of(options.get("pin-file"))))
                .build();
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("MailerA");
        final byte[] digest = MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3});

        System.out.printf(Locale.ROOT, "%7s %12s %10s %10s %10s %12s%n",
                "meters", "ms/meter", "key ms", "csr ms", "import ms", "sign us");
        int enrolled = 0;
        try (PsdToken token = PsdToken.open(config)) {
            for (final int checkpoint : checkpoints) {
                long keyNanos = 0;
                long csrNanos = 0;
                long importNanos = 0;
                int timed = 0;
                while (enrolled < checkpoint) {
                    if (System.nanoTime() > deadline) {
                        System.out.printf(Locale.ROOT, "stopped at %d meters: --max-minutes reached%n", enrolled);
                        return;
                    }
                    final String meterId = String.format(Locale.ROOT, "meter-%05d", enrolled + 1);
                    final long t0 = System.nanoTime();
                    token.createMeterKey(meterId);
                    final long t1 = System.nanoTime();
                    final byte[] csr = token.createCsr(meterId, MeterSubject.client(meterId, "MailerA").toX500Name());
                    final long t2 = System.nanoTime();
                    final X509Certificate certificate = ca.issue(meterId, csr);
                    final long t3 = System.nanoTime();
                    token.importCertificate(meterId, certificate);
                    final long t4 = System.nanoTime();
                    enrolled++;
                    if (checkpoint - enrolled < WINDOW) {
                        keyNanos += t1 - t0;
                        csrNanos += t2 - t1;
                        importNanos += t4 - t3;
                        timed++;
                    }
                }
                final double signMicros = signMicros(token, "meter-00001", digest);
                System.out.printf(Locale.ROOT, "%7d %12.1f %10.1f %10.1f %10.1f %12.1f%n", enrolled,
                        (keyNanos + csrNanos + importNanos) / 1e6 / timed, keyNanos / 1e6 / timed,
                        csrNanos / 1e6 / timed, importNanos / 1e6 / timed, signMicros);
            }
        }
        final long t0 = System.nanoTime();
        try (PsdToken token = PsdToken.open(config)) {
            final long t1 = System.nanoTime();
            int found = 0;
            for (int i = 1; i <= enrolled; i++) {
                final String meterId = String.format(Locale.ROOT, "meter-%05d", i);
                if (token.meterKey(meterId).enrolled()) {
                    token.signDigest(meterId, digest);
                    found++;
                }
            }
            final long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "reopened: open %.0f ms, %d of %d meters enrolled and signing, %.1f ms per"
                    + " meter's first signature; meter ids listed: %d%n", (t1 - t0) / 1e6, found, enrolled,
                    (t2 - t1) / 1e6 / Math.max(1, enrolled), token.meterIds().size());
        }
    }

    /** The mean time of one signature, one caller, after a warm-up. */
    private static double signMicros(final PsdToken token, final String meterId, final byte[] digest) throws Exception {
        for (int i = 0; i < SIGNATURES / 4; i++) {
            token.signDigest(meterId, digest);
        }
        final long start = System.nanoTime();
        for (int i = 0; i < SIGNATURES; i++) {
            token.signDigest(meterId, digest);
        }
        return (System.nanoTime() - start) / 1e3 / SIGNATURES;
    }
}
