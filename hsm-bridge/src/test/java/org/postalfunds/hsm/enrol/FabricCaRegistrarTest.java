package org.postalfunds.hsm.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.postalfunds.hsm.crypto.EcdsaSignatures;
import org.postalfunds.hsm.crypto.Pem;
import org.postalfunds.hsm.crypto.PublicKeys;

/** The authorization token, checked the way Fabric CA's util.VerifyToken checks it. */
class FabricCaRegistrarTest {
    @Test
    void the_token_is_the_certificate_and_a_low_s_signature_over_method_uri_body_and_certificate() throws Exception {
        final OrgCertificateAuthority authority = OrgCertificateAuthority.create("MailerA");
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        final X509Certificate certificate = authority.issueTlsClientCertificate("admin", "client", pair.getPublic());
        final FabricCaRegistrar registrar = FabricCaRegistrar.of(certificate, pair.getPrivate());
        final byte[] body = "{\"id\":\"meter-1\",\"type\":\"client\"}".getBytes(StandardCharsets.UTF_8);
        final Base64.Encoder b64 = Base64.getEncoder();

        for (int i = 0; i < 64; i++) {
            final String[] parts = registrar.token("POST", "/api/v1/register", body).split("\\.");

            assertThat(parts).hasSize(2);
            assertThat(new String(Base64.getDecoder().decode(parts[0]), StandardCharsets.US_ASCII)).isEqualTo(Pem.encode(certificate));
            final byte[] signature = Base64.getDecoder().decode(parts[1]);
            final String signed = "POST." + b64.encodeToString("/api/v1/register".getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(body) + "." + parts[0];
            final Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(signed.getBytes(StandardCharsets.UTF_8));
            assertThat(verifier.verify(signature)).isTrue();
            assertThat(EcdsaSignatures.isLowS(signature, PublicKeys.p256().getOrder())).isTrue();
        }
    }

    @Test
    void a_key_that_is_not_the_certificates_is_refused() throws Exception {
        final OrgCertificateAuthority authority = OrgCertificateAuthority.create("MailerA");
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        final X509Certificate certificate = authority.issueTlsClientCertificate("admin", "client", pair.getPublic());

        assertThatThrownBy(() -> FabricCaRegistrar.of(certificate, OrgCertificateAuthority.newP256KeyPair().getPrivate()))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("does not belong");
    }

    @Test
    void the_uri_in_the_token_is_the_path_and_query_as_go_request_uri_gives_it() {
        assertThat(FabricCaClientImpl.requestUri(URI.create("https://127.0.0.1:7054/api/v1/register")))
                .isEqualTo("/api/v1/register");
        assertThat(FabricCaClientImpl.requestUri(URI.create("https://ca.example/ca1/api/v1/cainfo?ca=org1")))
                .isEqualTo("/ca1/api/v1/cainfo?ca=org1");
    }

    @Test
    void the_client_speaks_https_only() {
        assertThatThrownBy(() -> FabricCaClient.newBuilder().url(URI.create("http://127.0.0.1:7054")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
        assertThatThrownBy(() -> FabricCaClient.newBuilder().url(URI.create("https://127.0.0.1:7054")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tlsRootCertificates");
    }
}
