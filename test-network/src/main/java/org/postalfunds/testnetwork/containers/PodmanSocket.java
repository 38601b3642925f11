package org.postalfunds.testnetwork.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Docker-compatible API Testcontainers talks to: the socket named by {@code DOCKER_HOST}
 * ({@code unix://PATH}). When nothing serves it, {@code podman system service --time=0} is started on it here
 * and stopped by {@link #close()}; a socket already served (e.g. Docker elsewhere) is used and left alone.
 */
public final class PodmanSocket implements AutoCloseable {
    private final Path socket;
    private final Process service;

    private PodmanSocket(final Path socket, final Process service) {
        this.socket = socket;
        this.service = service;
    }

    public static PodmanSocket fromEnvironment() {
        final String host = System.getenv("DOCKER_HOST");
        if (host == null || !host.startsWith("unix://")) {
            throw new IllegalStateException("the container mode needs DOCKER_HOST=unix:///PATH/podman.sock (got "
                    + host + "); the Maven build sets it for the containers tests");
        }
        final Path socket = Path.of(host.substring("unix://".length()));
        if (answers(socket)) {
            return new PodmanSocket(socket, null);
        }
        try {
            Files.createDirectories(socket.getParent());
            Files.deleteIfExists(socket);
            final Process service = new ProcessBuilder("podman", "system", "service", "--time=0", "unix://" + socket)
                    .redirectErrorStream(true).redirectOutput(socket.resolveSibling("podman-service.log").toFile()).start();
            for (int i = 0; i < 200 && !answers(socket); i++) {
                if (!service.isAlive()) {
                    throw new IllegalStateException("podman system service stopped at once; see "
                            + socket.resolveSibling("podman-service.log"));
                }
                Thread.sleep(50);
            }
            if (!answers(socket)) {
                service.destroyForcibly();
                throw new IllegalStateException("podman system service does not answer on " + socket + " after 10 s");
            }
            return new PodmanSocket(socket, service);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean answers(final Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
    }

    public Path socket() {
        return socket;
    }

    /** The service's process id, when it was started here. */
    public java.util.OptionalLong servicePid() {
        return service == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(service.pid());
    }

    @Override
    public void close() {
        if (service == null) {
            return;
        }
        service.destroy();
        try {
            if (!service.waitFor(15, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
