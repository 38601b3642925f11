package org.postalfunds.hsm.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the Fabric and Fabric CA binaries built by {@code test-network/install-fabric.sh} live, for tests and
 * the demo: the system property {@code postal.fabric.home}, else the environment variable
 * {@code POSTAL_FABRIC_HOME}, else the last line printed by running the install script found above the
 * working directory (cheap once its cache exists). Missing binaries are an error naming what to run, never a
 * reason to skip.
 */
public final class FabricBinaries {
    public static final String HOME_PROPERTY = "postal.fabric.home";
    public static final String HOME_VARIABLE = "POSTAL_FABRIC_HOME";
    static final String INSTALL_SCRIPT = "test-network/install-fabric.sh";
    /** A cold build of Fabric and Fabric CA takes about 5 minutes on 2 cores. */
    private static final long INSTALL_MINUTES = 20;

    private FabricBinaries() {
    }

    /** The folder holding {@code bin/fabric-ca-server}. */
    public static Path home() throws IOException {
        final String property = System.getProperty(HOME_PROPERTY, "");
        if (!property.isBlank()) {
            return checked(Path.of(property), "-D" + HOME_PROPERTY);
        }
        final String variable = System.getenv().getOrDefault(HOME_VARIABLE, "");
        if (!variable.isBlank()) {
            return checked(Path.of(variable), HOME_VARIABLE);
        }
        final Path script = findInstallScript();
        return checked(runInstallScript(script), script.toString());
    }

    public static Path fabricCaServer() throws IOException {
        return home().resolve("bin").resolve("fabric-ca-server");
    }

    private static Path checked(final Path home, final String source) throws IOException {
        final Path server = home.resolve("bin").resolve("fabric-ca-server");
        if (!Files.isExecutable(server)) {
            throw new IOException("no executable " + server + " (the folder came from " + source + "); run 'bash "
                    + INSTALL_SCRIPT + "' and set " + HOME_VARIABLE + " to the folder it prints last");
        }
        return home;
    }

    private static Path findInstallScript() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            final Path script = dir.resolve(INSTALL_SCRIPT);
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        throw new IOException("Fabric CA binaries not found: set " + HOME_VARIABLE + " (or -D" + HOME_PROPERTY
                + ") to the folder printed last by 'bash " + INSTALL_SCRIPT + "', or run from inside the project");
    }

    private static Path runInstallScript(final Path script) throws IOException {
        final Path log = Files.createTempFile("install-fabric", ".log");
        try {
            final Process process = new ProcessBuilder("bash", script.toString())
                    .redirectErrorStream(false)
                    .redirectError(log.toFile())
                    .start();
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(INSTALL_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException(script + " did not finish within " + INSTALL_MINUTES + " minutes");
            }
            final List<String> lines = new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            if (process.exitValue() != 0 || lines.isEmpty()) {
                throw new IOException("'bash " + script + "' failed (exit " + process.exitValue() + "): "
                        + Files.readString(log, StandardCharsets.UTF_8).strip() + "; run it by hand and set "
                        + HOME_VARIABLE + " to the folder it prints last");
            }
            return Path.of(lines.get(lines.size() - 1).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + script, e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
