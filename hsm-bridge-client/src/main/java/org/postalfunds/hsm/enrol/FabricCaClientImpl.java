package org.postalfunds.hsm.enrol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.postalfunds.hsm.crypto.PublicKeys;

final class FabricCaClientImpl implements FabricCaClient {
    private static final String ENROLL_PATH = "api/v1/enroll";
    private static final String REGISTER_PATH = "api/v1/register";
    private static final String CA_INFO_PATH = "api/v1/cainfo";
    /** A P-256 CSR is a few hundred bytes. */
    private static final int MAX_CSR_CHARACTERS = 16 * 1024;
    /** Fabric CA's limit for a CN, which is the enrollment id. */
    private static final int MAX_NAME_LENGTH = 64;
    private static final int MAX_ATTRIBUTES = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final String caName;
    private final Duration timeout;
    private final HttpClient http;

    private FabricCaClientImpl(final BuilderImpl builder) {
        this.url = builder.url;
        this.caName = builder.caName;
        this.timeout = builder.timeout;
        this.http = HttpClient.newBuilder()
                .sslContext(sslContext(builder.tlsRoots))
                .connectTimeout(timeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public URI url() {
        return url;
    }

    @Override
    public X509Certificate enroll(final String enrollmentId, final String secret, final String csrPem,
            final String profile) throws FabricCaException {
        final String operation = "enroll " + requireName(enrollmentId);
        Objects.requireNonNull(secret, "secret");
        final PublicKey requestKey = csrPublicKey(operation, csrPem);
        final ObjectNode body = JSON.createObjectNode().put("certificate_request", csrPem);
        if (profile != null && !profile.isBlank()) {
            body.put("profile", profile);
        }
        if (caName != null) {
            body.put("caname", caName);
        }
        final String credentials = Base64.getEncoder().encodeToString(
                (enrollmentId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        final JsonNode result = send(operation, ENROLL_PATH, bytes(body), "Basic " + credentials, null);
        final X509Certificate certificate = certificates(operation, result.path("Cert").asText("")).get(0);
        if (!PublicKeys.sameKey(certificate.getPublicKey(), requestKey)) {
            // Never hand on a certificate for another key: the token could not sign for it.
            throw new FabricCaException(operation, "the CA issued a certificate for another public key than the CSR's ("
                    + certificate.getSubjectX500Principal() + ")", null);
        }
        return certificate;
    }

    @Override
    public String register(final FabricCaRegistrar registrar, final String name, final String secret, final String type,
            final FabricCaAttribute... attributes) throws FabricCaException {
        Objects.requireNonNull(registrar, "registrar");
        final String operation = "register " + requireName(name);
        if (type == null || !type.matches("[a-z][a-z0-9_-]{0,31}")) {
            throw new IllegalArgumentException("an identity type is 1 to 32 of a-z 0-9 _ -, starting with a letter");
        }
        if (attributes.length > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes");
        }
        final ObjectNode body = JSON.createObjectNode().put("id", name).put("type", type)
                // Empty: the registrar's own affiliation, as fabric-ca-client does without --id.affiliation.
                .put("affiliation", "");
        if (secret != null) {
            body.put("secret", secret);
        }
        if (attributes.length > 0) {
            final ArrayNode attrs = body.putArray("attrs");
            for (final FabricCaAttribute attribute : attributes) {
                attrs.addObject().put("name", attribute.name()).put("value", attribute.value())
                        .put("ecert", attribute.inEnrollmentCertificate());
            }
        }
        if (caName != null) {
            body.put("caname", caName);
        }
        final byte[] bodyBytes = bytes(body);
        final URI target = url.resolve(REGISTER_PATH);
        final String token;
        try {
            token = registrar.token("POST", requestUri(target), bodyBytes);
        } catch (GeneralSecurityException e) {
            throw new FabricCaException(operation, "signing the authorization token failed: " + e.getMessage(), e);
        }
        final JsonNode result = send(operation, REGISTER_PATH, bodyBytes, token, null);
        final String registered = result.path("secret").asText("");
        if (registered.isEmpty()) {
            throw new FabricCaException(operation, "the CA's answer holds no secret", null);
        }
        return registered;
    }

    @Override
    public List<X509Certificate> caChain() throws FabricCaException {
        final String operation = "cainfo";
        final JsonNode result = send(operation, CA_INFO_PATH, null, null, caName);
        return certificates(operation, result.path("CAChain").asText(""));
    }

    private JsonNode send(final String operation, final String path, final byte[] body, final String authorization,
            final String caNameQuery) throws FabricCaException {
        URI target = url.resolve(path);
        if (caNameQuery != null) {
            target = URI.create(target + "?ca=" + java.net.URLEncoder.encode(caNameQuery, StandardCharsets.UTF_8));
        }
        final HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout)
                .header("Accept", "application/json");
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        final HttpResponse<InputStream> response;
        final byte[] answer;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                answer = in.readNBytes(MAX_RESPONSE_BYTES + 1);
            }
        } catch (IOException e) {
            throw new FabricCaException(operation, "no answer from " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FabricCaException(operation, "interrupted", e);
        }
        if (answer.length > MAX_RESPONSE_BYTES) {
            throw new FabricCaException(operation, "the answer is larger than " + MAX_RESPONSE_BYTES + " bytes", null);
        }
        final JsonNode envelope;
        try {
            envelope = JSON.readTree(answer);
        } catch (IOException e) {
            throw new FabricCaException(operation, "HTTP " + response.statusCode() + " with a body that is not Fabric CA's JSON", e);
        }
        final JsonNode errors = envelope == null ? null : envelope.path("errors");
        if (errors != null && errors.isArray() && !errors.isEmpty()) {
            final JsonNode first = errors.get(0);
            final List<String> messages = new ArrayList<>();
            errors.forEach(error -> messages.add(error.path("message").asText("")));
            throw new FabricCaException(operation, response.statusCode(),
                    first.path("code").isInt() ? first.path("code").asInt() : null, String.join("; ", messages));
        }
        if (response.statusCode() >= 400 || envelope == null || !envelope.path("success").asBoolean(false)) {
            throw new FabricCaException(operation, response.statusCode(), null, "the CA did not report success");
        }
        return envelope.path("result");
    }

    /** The request URI as Go's {@code req.URL.RequestURI()} gives it to the token: path and query. */
    static String requestUri(final URI target) {
        final String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        return target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
    }

    private static PublicKey csrPublicKey(final String operation, final String csrPem) throws FabricCaException {
        Objects.requireNonNull(csrPem, "csrPem");
        if (csrPem.length() > MAX_CSR_CHARACTERS || !csrPem.contains("-----BEGIN CERTIFICATE REQUEST-----")) {
            throw new IllegalArgumentException("not a PEM certificate request of at most " + MAX_CSR_CHARACTERS + " characters");
        }
        try (PEMParser parser = new PEMParser(new java.io.StringReader(csrPem))) {
            final Object object = parser.readObject();
            if (!(object instanceof PKCS10CertificationRequest request)) {
                throw new IllegalArgumentException("not a PEM certificate request");
            }
            return new JcaPKCS10CertificationRequest(request).getPublicKey();
        } catch (IOException | GeneralSecurityException e) {
            throw new FabricCaException(operation, "the CSR cannot be read: " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(final String operation, final String base64Pem)
            throws FabricCaException {
        try {
            final byte[] pem = Base64.getDecoder().decode(base64Pem);
            final List<X509Certificate> certificates = new ArrayList<>();
            for (final var certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            return List.copyOf(certificates);
        } catch (IllegalArgumentException | CertificateException e) {
            throw new FabricCaException(operation, "the CA's answer holds no readable certificate: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(final ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings did not serialise", e);
        }
    }

    private static String requireName(final String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.matches("[A-Za-z0-9._@-]+")) {
            throw new IllegalArgumentException("an enrollment id is 1 to " + MAX_NAME_LENGTH + " of A-Z a-z 0-9 . _ @ -");
        }
        return name;
    }

    private static SSLContext sslContext(final List<X509Certificate> roots) {
        try {
            final KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                trust.setCertificateEntry("fabric-ca-tls-" + i, roots.get(i));
            }
            final TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS with the CA's certificates: " + e.getMessage(), e);
        }
    }

    static final class BuilderImpl implements Builder {
        private URI url;
        private List<X509Certificate> tlsRoots;
        private String caName;
        private Duration timeout = DEFAULT_TIMEOUT;

        @Override
        public Builder url(final URI url) {
            Objects.requireNonNull(url, "url");
            if (!"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("the Fabric CA URL must be https://host:port, not " + url);
            }
            if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("the Fabric CA URL takes no user, query or fragment: " + url.getHost());
            }
            // resolve("api/v1/...") needs a base ending in '/'.
            final String text = url.toString();
            this.url = URI.create(text.endsWith("/") ? text : text + "/");
            return this;
        }

        @Override
        public Builder tlsRootCertificates(final List<X509Certificate> certificates) {
            if (certificates == null || certificates.isEmpty() || certificates.size() > 16) {
                throw new IllegalArgumentException("give 1 to 16 trusted TLS certificates of the CA");
            }
            this.tlsRoots = List.copyOf(certificates);
            return this;
        }

        @Override
        public Builder caName(final String caName) {
            if (caName != null && !caName.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("a CA name is 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            this.caName = caName;
            return this;
        }

        @Override
        public Builder timeout(final Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("the timeout must be between 0 and 5 minutes");
            }
            this.timeout = timeout;
            return this;
        }

        @Override
        public FabricCaClient build() {
            if (url == null) {
                throw new IllegalStateException("url is required");
            }
            if (tlsRoots == null) {
                throw new IllegalStateException("tlsRootCertificates are required: the CA is reached over HTTPS only");
            }
            return new FabricCaClientImpl(this);
        }
    }
}
