package org.postalfunds.hsm.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.postalfunds.hsm.pkcs11.TokenException;

/**
 * Runs the PSD bridge: {@code java -jar hsm-bridge.jar --config bridge.properties}.
 *
 * <p>Exit codes: 0 after a clean shutdown (SIGTERM), 2 for a usage or configuration error, 3 when the token
 * cannot be opened (library, label, PIN), 4 when the port or TLS files cannot be used.
 */
public final class BridgeMain {
    static final int EXIT_USAGE = 2;
    static final int EXIT_TOKEN = 3;
    static final int EXIT_IO = 4;

    private BridgeMain() {
    }

    public static void main(final String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(final String[] args, final PrintStream out, final PrintStream err) {
        if (args.length != 2 || !args[0].equals("--config")) {
            err.println("usage: java -jar hsm-bridge.jar --config <bridge.properties>");
            err.println("configuration keys (each overridable by " + BridgeConfig.ENVIRONMENT_PREFIX + "<KEY>):");
            BridgeConfig.KEYS.forEach((key, value) -> err.println("  " + key + (value.isEmpty() ? "" : " (default " + value + ")")
                    + "  env " + BridgeConfig.environmentName(key)));
            return EXIT_USAGE;
        }
        final Path file = Path.of(args[1]);
        if (!Files.isRegularFile(file)) {
            err.println("configuration file " + file + " does not exist");
            return EXIT_USAGE;
        }
        final BridgeConfig config;
        try {
            config = BridgeConfig.load(file, System.getenv());
        } catch (IOException | IllegalArgumentException e) {
            err.println("configuration error in " + file + ": " + e.getMessage());
            return EXIT_USAGE;
        }
        final PsdBridgeServer server;
        try {
            server = PsdBridgeServer.start(config);
        } catch (TokenException e) {
            err.println("token error (" + e.reason() + "): " + e.getMessage());
            return EXIT_TOKEN;
        } catch (IOException e) {
            err.println("cannot start the bridge: " + e.getMessage());
            return EXIT_IO;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "psd-bridge-shutdown"));
        // Scripts and tests wait for this line to know the port.
        out.println("psd-bridge listening on " + server.host() + ":" + server.port() + " token=" + config.token().tokenLabel());
        out.flush();
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
