package org.postalfunds.hsm.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The org CA the network scripts own: its key file, and the TLS certificates it issues. */
class OrgCertificateAuthorityTest {
    @TempDir
    Path directory;

    @Test
    void creates_its_key_in_an_owner_only_file_and_loads_the_same_ca_next_time() throws Exception {
        final OrgCertificateAuthority created = OrgCertificateAuthority.loadOrCreate(directory.resolve("org1-ca"), "Org1");
        final Path keyFile = directory.resolve("org1-ca").resolve(OrgCertificateAuthority.PRIVATE_KEY_FILE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        final OrgCertificateAuthority loaded = OrgCertificateAuthority.loadOrCreate(directory.resolve("org1-ca"), "Org1");
        assertThat(loaded.certificate()).isEqualTo(created.certificate());
        final KeyPair pair = OrgCertificateAuthority.newP256KeyPair();
        loaded.issueTlsClientCertificate("meter-1", "client", pair.getPublic()).verify(created.certificate().getPublicKey());
    }

    @Test
    void refuses_a_directory_holding_another_orgs_ca_or_only_half_a_ca() throws Exception {
        OrgCertificateAuthority.loadOrCreate(directory.resolve("ca"), "Org1");

        assertThatThrownBy(() -> OrgCertificateAuthority.loadOrCreate(directory.resolve("ca"), "Org2"))
                .hasMessageContaining("Org2");
        Files.delete(directory.resolve("ca").resolve(OrgCertificateAuthority.CERTIFICATE_FILE));
        assertThatThrownBy(() -> OrgCertificateAuthority.loadOrCreate(directory.resolve("ca"), "Org1"))
                .hasMessageContaining("only one");
    }

    @Test
    void issues_a_tls_server_certificate_for_the_named_hosts() throws Exception {
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("DataCenter");
        final X509Certificate server = ca.issueTlsServerCertificate("psd-bridge", List.of("localhost", "127.0.0.1"),
                OrgCertificateAuthority.newP256KeyPair().getPublic());

        assertThat(server.getSubjectAlternativeNames().stream().map(name -> String.valueOf(name.get(1))))
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThatThrownBy(() -> ca.issueTlsServerCertificate("x", List.of("bad host!"),
                OrgCertificateAuthority.newP256KeyPair().getPublic())).hasMessageContaining("bad host!");
    }

    @Test
    void never_issues_past_its_own_expiry_or_beyond_the_maximum_validity() throws Exception {
        final OrgCertificateAuthority ca = OrgCertificateAuthority.create("Org1");

        assertThat(ca.issueTlsClientCertificate("op", "operator", OrgCertificateAuthority.newP256KeyPair().getPublic())
                .getNotAfter()).isBeforeOrEqualTo(ca.certificate().getNotAfter());
        assertThatThrownBy(() -> ca.withCertificateValidity(java.time.Duration.ofDays(5000)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
