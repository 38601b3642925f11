package org.postalfunds.client.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.postalfunds.hsm.client.PsdBridgeClient;

/**
 * How the benchmark reaches the HSM bridge that {@code bench.sh} started ({@code bench-bridge/bridge.json} under the
 * network state): its address and TLS server name, the CA its certificate chains to, and the data center operator's
 * TLS client certificate and key (the operator creates the meters' keys in the token and enrols them).
 */
record BridgeAccess(String host, int port, String serverName, Path trustedCertificates, Path operatorCertificate,
        Path operatorKey) {

    static BridgeAccess read(final Path file) throws IOException {
        final JsonNode json = new ObjectMapper().readTree(file.toFile());
        final Path folder = file.toAbsolutePath().getParent();
        try {
            return new BridgeAccess(text(json, "host", file), json.path("port").asInt(0), text(json, "serverName", file),
                    folder.resolve(text(json, "trustedCertificates", file)),
                    folder.resolve(text(json, "operatorCertificate", file)), folder.resolve(text(json, "operatorKey", file)));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String text(final JsonNode json, final String field, final Path file) {
        final String value = json.path(field).asText("");
        if (value.isEmpty()) {
            throw new IllegalArgumentException(file + " has no " + field + " (bench.sh writes it when it starts the bridge)");
        }
        return value;
    }

    /**
     * The operator's client. Making a meter's two keys in SoftHSM2 takes a while on a loaded machine, and the
     * set-up sends several at once: a longer deadline than a signature's.
     */
    PsdBridgeClient operator() throws IOException, CertificateException {
        return builder().clientCertificate(operatorCertificate, operatorKey).callTimeout(Duration.ofSeconds(60)).build();
    }

    /** A meter's own client: TLS as the meter ({@code CN = meter id, OU = client}), so it may use only its own keys. */
    PsdBridgeClient meter(final X509Certificate tlsCertificate, final PrivateKey tlsKey)
            throws IOException, CertificateException {
        return builder().clientCertificate(tlsCertificate, tlsKey).build();
    }

    private PsdBridgeClient.Builder builder() throws IOException, CertificateException {
        return PsdBridgeClient.newBuilder().target(host, port).overrideAuthority(serverName)
                .trustedCertificates(trustedCertificates).callTimeout(Duration.ofSeconds(30));
    }
}
