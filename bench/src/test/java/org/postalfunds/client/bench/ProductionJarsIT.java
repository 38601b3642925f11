package org.postalfunds.client.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, baseline and demo code stays out of the production jars: the chaincode that test-network/deploy.sh deploys
 * by default, the client library and the {@code postal} command line, and every other jar a production module of this
 * checkout has built (the bridge, the console, when the build made them). The benchmark's own jars carry it instead:
 * chaincode-bench.jar (the production contracts and the Baseline) and postal-bench.jar (the driver). Runs in the
 * integration-test phase, after the reactor has packaged every jar it reads.
 */
class ProductionJarsIT {
    /** Modules whose jars are not production: the benchmark's own, and the test network's JUnit extension. */
    private static final List<String> NOT_PRODUCTION = List.of("bench", "chaincode-bench", "test-network");
    /** What no production jar may hold of this project's code: the benchmark's packages and classes, the baseline, demo code. */
    private static final Pattern BENCH_OR_DEMO = Pattern.compile(
            "^org/postalfunds/(.*/)?((bench|demo)/|[^/]*(Baseline|Benchmark|Bench[A-Z]|SoftwareKeyAgreement)[^/]*\\.class$)");
    /** Test support that a production jar must not carry either (the network description reader, JUnit). */
    private static final Pattern TEST_SUPPORT = Pattern.compile("^org/postalfunds/testnetwork/|^org/junit/");

    private final Path root = Path.of(System.getProperty("postal.project.root", "..")).toAbsolutePath().normalize();
    private final String version = System.getProperty("postal.project.version", "0.1.0-SNAPSHOT");

    @Test
    void the_jars_of_the_modules_the_benchmark_builds_on_hold_no_benchmark_baseline_or_demo_class() throws IOException {
        final List<Path> required = List.of(root.resolve("chaincode/target/chaincode.jar"),
                root.resolve("meter-client/target/postal.jar"), root.resolve("meter-client/target/meter-client-" + version + ".jar"),
                root.resolve("ledger-api/target/ledger-api-" + version + ".jar"),
                root.resolve("hsm-bridge-client/target/hsm-bridge-client-" + version + ".jar"));
        for (final Path jar : required) {
            assertThat(jar).as("built by the reactor before this module's integration tests").isRegularFile();
            assertThat(offending(jar)).as(jar.toString()).isEmpty();
        }
    }

    @Test
    void every_other_production_jar_built_in_this_checkout_holds_none_either() throws IOException {
        final List<Path> jars = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (final Path module : modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml"))).toList()) {
                if (NOT_PRODUCTION.contains(module.getFileName().toString()) || !Files.isDirectory(module.resolve("target"))) {
                    continue;
                }
                try (Stream<Path> built = Files.list(module.resolve("target"))) {
                    built.filter(ProductionJarsIT::isProductionJar).forEach(jars::add);
                }
            }
        }
        assertThat(jars).as("production jars under " + root).isNotEmpty();
        for (final Path jar : jars) {
            assertThat(offending(jar)).as(jar.toString()).isEmpty();
        }
    }

    @Test
    void the_benchmark_jars_carry_the_baseline_beside_the_production_contracts_and_the_driver() throws IOException {
        final List<String> chaincode = entries(root.resolve("chaincode-bench/target/chaincode-bench.jar"));
        assertThat(chaincode).contains("org/postalfunds/chaincode/bench/BaselineContract.class",
                "org/postalfunds/chaincode/PostalLedgerContract.class",
                "org/postalfunds/chaincode/SecureInformationContract.class");
        final List<String> driver = entries(root.resolve("bench/target/postal-bench.jar"));
        assertThat(driver).contains("org/postalfunds/client/bench/NetworkBench.class",
                "org/postalfunds/client/SoftwareKeyAgreement.class");
        // Of the client's test jar only that one class: no in-process network, no test fixtures.
        assertThat(driver).noneMatch(entry -> entry.startsWith("org/postalfunds/client/ledger/InProcess")
                || entry.startsWith("org/postalfunds/client/Consortium") || entry.startsWith("org/postalfunds/chaincode/"));
    }

    /** A module's own jar or its runnable jar; not the test jar, the shade plugin's original, sources or javadoc. */
    private static boolean isProductionJar(final Path file) {
        final String name = file.getFileName().toString();
        return name.endsWith(".jar") && !name.startsWith("original-") && !name.endsWith("-tests.jar")
                && !name.endsWith("-sources.jar") && !name.endsWith("-javadoc.jar");
    }

    private static List<String> offending(final Path jar) throws IOException {
        return entries(jar).stream()
                .filter(entry -> BENCH_OR_DEMO.matcher(entry).find() || TEST_SUPPORT.matcher(entry).find()).toList();
    }

    private static List<String> entries(final Path jar) throws IOException {
        assertThat(jar).isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(JarEntry::getName).filter(name -> name.startsWith("org/")).toList();
        }
    }
}
