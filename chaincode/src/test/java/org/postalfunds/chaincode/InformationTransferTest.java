package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.chaincode.information.SecureInformationCollections;
import org.postalfunds.chaincode.state.Keys;

/**
 * Secure information transfers on the in-memory ledger, per transaction. The packages are well-formed sealed packages
 * whose ciphertext is random bytes: the chaincode checks only their format and addressing (sealing and unsealing are
 * tested through the real bridge in meter-client), so what matters here is where the bytes go and what the public
 * ledger proves about them.
 */
class InformationTransferTest {
    private static final String COLLECTION_AB = "secureInfo-MailerAMSP-MailerBMSP";
    private static final SecureRandom RANDOM = new SecureRandom();

    private LedgerFixture fx;

    @BeforeEach
    void meters() {
        fx = new LedgerFixture();
        fx.registerMeter("mA1", Organisations.MAILER_A);
        fx.registerMeter("mA2", Organisations.MAILER_A);
        fx.registerMeter("mB1", Organisations.MAILER_B);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** A well-formed package for the transfer, signed by {@code signer} over its signed bytes. */
    static byte[] sealedPackage(final String transferId, final String sender, final String recipient,
            final String item, final TestIdentity signer) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            final ECPublicKey ephemeral = (ECPublicKey) generator.generateKeyPair().getPublic();
            final byte[] point = new byte[65];
            point[0] = 0x04;
            copyCoordinate(ephemeral.getW().getAffineX().toByteArray(), point, 1);
            copyCoordinate(ephemeral.getW().getAffineY().toByteArray(), point, 33);
            final byte[] nonce = new byte[SealedPackage.NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            final byte[] ciphertext = new byte[200];
            RANDOM.nextBytes(ciphertext);
            final SealedPackage.Header header = new SealedPackage.Header(transferId, sender, recipient, item,
                    "application/json", point, nonce);
            final byte[] signature = Base64.getDecoder().decode(signer.sign(SealedPackage.signedBytes(header, ciphertext)));
            return SealedPackage.of(header, ciphertext, signature).encode();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyCoordinate(final byte[] raw, final byte[] into, final int offset) {
        final int length = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - length, into, offset + 32 - length, length);
    }

    private static java.security.cert.Certificate certificate(final String pem) {
        try {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(
                    new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, byte[]> carrying(final byte[] sealed) {
        return Map.of("package", sealed);
    }

    private String request(final String recipient, final String sender, final String item, final String requestId) {
        final String result = fx.submit(fx.meter(recipient), ctx -> fx.information.requestInformation(ctx, requestId,
                recipient, sender, item, String.valueOf(fx.nowSeconds() + 3_600)));
        return LedgerFixture.json(result).at("/informationTransfer/transferId").asText();
    }

    private String requested() {
        return request("mB1", "mA1", "rate-table", "pull-1");
    }

    private byte[] packageFor(final String transferId) {
        return sealedPackage(transferId, "mA1", "mB1", "rate-table", fx.meter("mA1"));
    }

    private JsonNode grant(final String transferId, final byte[] sealed) {
        return LedgerFixture.json(fx.carrying(carrying(sealed)).submit(fx.meter("mA1"),
                ctx -> fx.information.grantInformation(ctx, "grant-" + transferId, transferId, String.valueOf(fx.nowSeconds() + 7_200))));
    }

    private String granted() {
        final String transferId = requested();
        grant(transferId, packageFor(transferId));
        return transferId;
    }

    private String offered(final byte[][] sealedOut) {
        final String transferId = SealedPackage.transferIdFor("mA1", "push-1");
        final byte[] sealed = packageFor(transferId);
        sealedOut[0] = sealed;
        fx.carrying(carrying(sealed)).submit(fx.meter("mA1"), ctx -> fx.information.offerInformation(ctx, "push-1",
                "mA1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 3_600)));
        return transferId;
    }

    private JsonNode record(final String transferId) {
        return LedgerFixture.json(fx.evaluate(fx.mailerB,
                ctx -> fx.information.getInformationTransfer(ctx, transferId))).get("informationTransfer");
    }

    private Map<String, byte[]> privateWrites(final FakeStub stub) {
        return stub.privateWrites().getOrDefault(COLLECTION_AB, Map.of());
    }

    private static String packageKey(final String transferId) {
        return Keys.informationPackage(transferId);
    }

    // ---- the transitions -----------------------------------------------------------------------------------------

    @Nested
    class RequestInformation {
        @Test
        void opens_a_pull_transfer_with_its_item_and_deadline_and_no_package() {
            final String transferId = requested();
            final FakeStub stub = fx.lastStub();

            final JsonNode record = record(transferId);
            assertThat(transferId).isEqualTo(SealedPackage.transferIdFor("mB1", "pull-1"));
            assertThat(record.get("state").asText()).isEqualTo("REQUESTED");
            assertThat(record.get("kind").asText()).isEqualTo("PULL");
            assertThat(record.get("senderId").asText()).isEqualTo("mA1");
            assertThat(record.get("recipientMeterId").asText()).isEqualTo("mB1");
            assertThat(record.get("itemName").asText()).isEqualTo("rate-table");
            assertThat(record.get("collection").asText()).isEqualTo(COLLECTION_AB);
            assertThat(record.get("packageHeld").asBoolean()).isFalse();
            assertThat(record.has("packageSha256")).isFalse();
            assertThat(record.has("senderCertificatePem")).as("only downloads record a certificate").isFalse();
            assertThat(stub.eventName()).isEqualTo("InformationRequested");
            assertThat(stub.privateWrites()).isEmpty();
        }

        @Test
        void is_for_the_recipient_meter_itself() {
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mA2"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mA1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB, ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mA1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void refuses_bad_item_names_deadlines_self_requests_and_unknown_meters() {
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mA1", "x".repeat(SealedPackage.MAX_ITEM_NAME_BYTES + 1), String.valueOf(fx.nowSeconds() + 60)));
            fx.rejectsWith(ErrorCode.INVALID_ARGUMENT, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mA1", "tab\there", String.valueOf(fx.nowSeconds() + 60)));
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mA1", "rate-table", String.valueOf(fx.nowSeconds())));
            fx.rejectsWith(ErrorCode.INVALID_DEADLINE, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mA1", "rate-table", String.valueOf(fx.nowSeconds() + Limits.MAX_REQUEST_WINDOW_SECONDS + 1)));
            fx.rejectsWith(ErrorCode.SELF_TRANSFER, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "r", "mB1", "mZ9", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
        }

        @Test
        void the_same_request_id_returns_the_first_result_and_writes_nothing() {
            final String first = fx.submit(fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx, "again",
                    "mB1", "mA1", "rate-table", String.valueOf(fx.nowSeconds() + 3_600)));
            final String second = fx.submit(fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx, "again",
                    "mB1", "mA1", "rate-table", String.valueOf(fx.nowSeconds() + 3_600)));

            assertThat(second).isEqualTo(first);
            assertThat(fx.lastStub().writes()).isEmpty();
            assertThat(fx.lastStub().eventName()).isNull();
            fx.rejectsWith(ErrorCode.REQUEST_ID_REUSED, fx.meter("mB1"), ctx -> fx.information.requestInformation(ctx,
                    "again", "mB1", "mA1", "other-item", String.valueOf(fx.nowSeconds() + 3_600)));
        }
    }

    @Nested
    class GrantInformation {
        @Test
        void puts_the_package_only_into_the_parties_collection_and_its_hash_and_size_on_the_public_record() {
            final String transferId = requested();
            final byte[] sealed = packageFor(transferId);

            final JsonNode result = grant(transferId, sealed);

            final FakeStub stub = fx.lastStub();
            assertThat(stub.eventName()).isEqualTo("InformationGranted");
            assertThat(privateWrites(stub)).containsOnlyKeys(packageKey(transferId));
            assertThat(privateWrites(stub).get(packageKey(transferId))).isEqualTo(sealed);
            assertThat(stub.privateWrites()).containsOnlyKeys(COLLECTION_AB);
            // Nothing of the package in the public writes or the event: only its hash and size.
            final String encoded = Base64.getEncoder().encodeToString(sealed);
            stub.writes().values().forEach(value -> assertThat(new String(value)).doesNotContain(encoded)
                    .doesNotContain(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)));
            final JsonNode record = result.get("informationTransfer");
            assertThat(record.get("state").asText()).isEqualTo("GRANTED");
            assertThat(record.get("packageSha256").asText()).isEqualTo(SealedPackage.sha256Hex(sealed));
            assertThat(record.get("packageSizeBytes").asLong()).isEqualTo(sealed.length);
            assertThat(record.get("packageHeld").asBoolean()).isTrue();
            assertThat(record.get("deadlineEpochSeconds").asLong()).isEqualTo(fx.nowSeconds() + 7_200);
            assertThat(fx.ledger.privateValue(COLLECTION_AB, packageKey(transferId))).hasValue(sealed);
        }

        @Test
        void refuses_a_missing_malformed_oversize_or_misaddressed_package() {
            final String transferId = requested();
            final TestIdentity sender = fx.meter("mA1");
            final long deadline = fx.nowSeconds() + 600;

            fx.rejectsWith(ErrorCode.MISSING_PACKAGE, sender,
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)));
            final byte[] truncated = Arrays.copyOf(packageFor(transferId), 100);
            fx.carrying(carrying(truncated)).rejectsWith(ErrorCode.MALFORMED_PACKAGE, sender,
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)));
            fx.carrying(carrying(new byte[SealedPackage.MAX_PACKAGE_BYTES + 1])).rejectsWith(
                    ErrorCode.MALFORMED_PACKAGE, sender, ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)));
            for (final byte[] misaddressed : new byte[][] {
                    sealedPackage("info-other", "mA1", "mB1", "rate-table", sender),
                    sealedPackage(transferId, "mA2", "mB1", "rate-table", sender),
                    sealedPackage(transferId, "mA1", "mA2", "rate-table", sender),
                    sealedPackage(transferId, "mA1", "mB1", "other-item", sender)}) {
                fx.carrying(carrying(misaddressed)).rejectsWith(ErrorCode.PACKAGE_MISMATCH, sender,
                        ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)));
            }
        }

        @Test
        void is_for_the_sender_meter_itself_and_before_the_request_deadline() {
            final String transferId = requested();
            final byte[] sealed = packageFor(transferId);
            fx.carrying(carrying(sealed)).rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mB1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(fx.nowSeconds() + 600)));
            fx.carrying(carrying(sealed)).rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerA,
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(fx.nowSeconds() + 600)));
            fx.advance(Duration.ofHours(2));
            fx.carrying(carrying(sealed)).rejectsWith(ErrorCode.DEADLINE_PASSED, fx.meter("mA1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(fx.nowSeconds() + 600)));
        }

        @Test
        void a_retry_must_carry_the_same_package() {
            final String transferId = requested();
            final byte[] sealed = packageFor(transferId);
            final long deadline = fx.nowSeconds() + 600;
            final String first = fx.carrying(carrying(sealed)).submit(fx.meter("mA1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)));

            assertThat(fx.carrying(carrying(sealed)).submit(fx.meter("mA1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)))).isEqualTo(first);
            assertThat(fx.lastStub().privateWrites()).isEmpty();
            fx.carrying(carrying(packageFor(transferId))).rejectsWith(ErrorCode.REQUEST_ID_REUSED, fx.meter("mA1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(deadline)));
        }

        @Test
        void without_the_recipient_orgs_endorsement_the_private_write_is_invalid() {
            final String transferId = requested();
            final FakeStub stub = fx.carrying(carrying(packageFor(transferId))).endorse(fx.meter("mA1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(fx.nowSeconds() + 600))).stub();

            assertThat(fx.ledger.commit(stub, java.util.Set.of(Organisations.DATA_CENTER, Organisations.MAILER_A)))
                    .isEqualTo(FakeLedger.Validation.ENDORSEMENT_POLICY_FAILURE);
        }
    }

    @Nested
    class DenyInformation {
        @Test
        void ends_a_request_with_the_senders_reason_and_nothing_private() {
            final String transferId = requested();
            fx.submit(fx.meter("mA1"), ctx -> fx.information.denyInformation(ctx, "d", transferId, "not licensed"));

            assertThat(fx.lastStub().eventName()).isEqualTo("InformationDenied");
            assertThat(fx.lastStub().privateWrites()).isEmpty();
            assertThat(record(transferId).get("state").asText()).isEqualTo("DENIED");
            assertThat(record(transferId).get("reason").asText()).isEqualTo("not licensed");
        }
    }

    @Nested
    class AcceptInformation {
        @Test
        void delivers_and_purges_the_package_keeping_its_hash_as_proof() {
            final String transferId = requested();
            final byte[] sealed = packageFor(transferId);
            grant(transferId, sealed);

            fx.submit(fx.meter("mB1"), ctx -> fx.information.acceptInformation(ctx, "a", transferId));

            assertThat(fx.lastStub().eventName()).isEqualTo("InformationAccepted");
            assertThat(fx.lastStub().privatePurges()).containsExactly(COLLECTION_AB + "\u0001" + packageKey(transferId));
            assertThat(fx.ledger.privateValue(COLLECTION_AB, packageKey(transferId))).isEmpty();
            assertThat(fx.ledger.privateHistory(COLLECTION_AB, packageKey(transferId))).isEmpty();
            final JsonNode record = record(transferId);
            assertThat(record.get("state").asText()).isEqualTo("ACCEPTED");
            assertThat(record.get("packageHeld").asBoolean()).isFalse();
            assertThat(record.get("packageSha256").asText()).isEqualTo(SealedPackage.sha256Hex(sealed));
            assertThat(record.at("/steps/2/action").asText()).isEqualTo("ACCEPT");
        }

        @Test
        void is_for_the_recipient_meter_before_the_delivery_deadline() {
            final String transferId = granted();
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mA1"),
                    ctx -> fx.information.acceptInformation(ctx, "a", transferId));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.mailerB,
                    ctx -> fx.information.acceptInformation(ctx, "a", transferId));
            fx.advance(Duration.ofHours(3));
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, fx.meter("mB1"),
                    ctx -> fx.information.acceptInformation(ctx, "a", transferId));
        }

        @Test
        void a_request_without_a_package_cannot_be_accepted() {
            final String transferId = requested();
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.meter("mB1"),
                    ctx -> fx.information.acceptInformation(ctx, "a", transferId));
        }
    }

    @Nested
    class CancelInformation {
        @Test
        void withdraws_a_request() {
            final String transferId = requested();
            fx.submit(fx.meter("mB1"), ctx -> fx.information.cancelInformation(ctx, "c", transferId));

            assertThat(fx.lastStub().privateWrites()).isEmpty();
            assertThat(record(transferId).get("state").asText()).isEqualTo("CANCELLED");
        }

        @Test
        void refuses_a_granted_package_and_purges_it() {
            final String transferId = granted();
            fx.submit(fx.meter("mB1"), ctx -> fx.information.cancelInformation(ctx, "c", transferId));

            assertThat(fx.lastStub().privatePurges()).hasSize(1);
            assertThat(record(transferId).get("state").asText()).isEqualTo("CANCELLED");
            assertThat(fx.ledger.privateHistory(COLLECTION_AB, packageKey(transferId))).isEmpty();
        }

        @Test
        void is_for_the_recipient_only() {
            final String transferId = granted();
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mA1"),
                    ctx -> fx.information.cancelInformation(ctx, "c", transferId));
        }
    }

    @Nested
    class OfferInformation {
        @Test
        void pushes_the_package_into_the_collection_with_an_id_the_sender_knew_in_advance() {
            final byte[][] sealed = new byte[1][];
            final String transferId = offered(sealed);

            assertThat(fx.lastStub().eventName()).isEqualTo("InformationOffered");
            assertThat(privateWrites(fx.lastStub())).containsEntry(packageKey(transferId), sealed[0]);
            final JsonNode record = record(transferId);
            assertThat(record.get("kind").asText()).isEqualTo("PUSH");
            assertThat(record.get("state").asText()).isEqualTo("OFFERED");
            assertThat(record.get("packageSha256").asText()).isEqualTo(SealedPackage.sha256Hex(sealed[0]));
        }

        @Test
        void is_for_the_sender_meter_and_needs_a_matching_package() {
            final String transferId = SealedPackage.transferIdFor("mA1", "o");
            fx.carrying(carrying(packageFor(transferId))).rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mA2"),
                    ctx -> fx.information.offerInformation(ctx, "o", "mA1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
            fx.rejectsWith(ErrorCode.MISSING_PACKAGE, fx.meter("mA1"),
                    ctx -> fx.information.offerInformation(ctx, "o", "mA1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
            // bound to the id another request id would give: refused
            fx.carrying(carrying(packageFor(transferId))).rejectsWith(ErrorCode.PACKAGE_MISMATCH, fx.meter("mA1"),
                    ctx -> fx.information.offerInformation(ctx, "o2", "mA1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
        }
    }

    @Nested
    class AcknowledgeAndRejectInformation {
        @Test
        void acknowledging_delivers_and_purges() {
            final String transferId = offered(new byte[1][]);
            fx.submit(fx.meter("mB1"), ctx -> fx.information.acknowledgeInformation(ctx, "k", transferId));

            assertThat(fx.lastStub().eventName()).isEqualTo("InformationAcknowledged");
            assertThat(record(transferId).get("state").asText()).isEqualTo("ACKNOWLEDGED");
            assertThat(fx.ledger.privateHistory(COLLECTION_AB, packageKey(transferId))).isEmpty();
        }

        @Test
        void rejecting_returns_and_purges_with_the_reason() {
            final String transferId = offered(new byte[1][]);
            fx.submit(fx.meter("mB1"), ctx -> fx.information.rejectInformation(ctx, "j", transferId, "unexpected"));

            final JsonNode record = record(transferId);
            assertThat(record.get("state").asText()).isEqualTo("REJECTED");
            assertThat(record.get("reason").asText()).isEqualTo("unexpected");
            assertThat(fx.ledger.privateValue(COLLECTION_AB, packageKey(transferId))).isEmpty();
        }

        @Test
        void neither_is_for_the_sender_nor_possible_twice() {
            final String transferId = offered(new byte[1][]);
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mA1"),
                    ctx -> fx.information.acknowledgeInformation(ctx, "k", transferId));
            fx.submit(fx.meter("mB1"), ctx -> fx.information.acknowledgeInformation(ctx, "k", transferId));
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.meter("mB1"),
                    ctx -> fx.information.rejectInformation(ctx, "j", transferId, "late"));
        }
    }

    @Nested
    class ExpireInformation {
        @Test
        void a_held_package_is_purged_by_anyone_at_the_deadline_and_not_before() {
            final String transferId = offered(new byte[1][]);
            fx.rejectsWith(ErrorCode.DEADLINE_NOT_REACHED, fx.authority,
                    ctx -> fx.information.expireInformation(ctx, "e", transferId));
            fx.advance(Duration.ofHours(1));
            fx.rejectsWith(ErrorCode.DEADLINE_PASSED, fx.meter("mB1"),
                    ctx -> fx.information.acknowledgeInformation(ctx, "k", transferId));

            // The authority is outside the collection, yet its expiry purges the package: Fabric checks memberOnlyWrite
            // on purges too, which is why the collections leave writes open and the contract gates them.
            fx.submit(fx.authority, ctx -> fx.information.expireInformation(ctx, "e", transferId));

            assertThat(fx.lastStub().eventName()).isEqualTo("InformationExpired");
            assertThat(record(transferId).get("state").asText()).isEqualTo("EXPIRED");
            assertThat(record(transferId).get("packageHeld").asBoolean()).isFalse();
            assertThat(fx.ledger.privateHistory(COLLECTION_AB, packageKey(transferId))).isEmpty();
            fx.rejectsWith(ErrorCode.ILLEGAL_TRANSITION, fx.meter("mB1"),
                    ctx -> fx.information.acknowledgeInformation(ctx, "k", transferId));
        }

        @Test
        void an_unanswered_request_lapses() {
            final String transferId = requested();
            fx.advance(Duration.ofHours(1));
            fx.submit(fx.meter("mA2"), ctx -> fx.information.expireInformation(ctx, "e", transferId));

            assertThat(fx.lastStub().privateWrites()).isEmpty();
            assertThat(record(transferId).get("state").asText()).isEqualTo("EXPIRED");
        }
    }

    @Nested
    class DownloadInformation {
        @Test
        void the_data_center_pushes_a_package_into_its_collection_with_the_meters_org() {
            final String transferId = SealedPackage.transferIdFor("DataCenterMSP", "dl-1");
            final byte[] sealed = sealedPackage(transferId, "DataCenterMSP", "mB1", "rate-table", fx.dataCenter);
            fx.carrying(carrying(sealed)).submit(fx.dataCenter, ctx -> fx.information.downloadInformation(ctx,
                    "dl-1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 3_600)));

            final String collection = SecureInformationCollections.between(Organisations.DATA_CENTER, Organisations.MAILER_B);
            assertThat(fx.lastStub().privateWrites()).containsOnlyKeys(collection);
            final JsonNode record = record(transferId);
            assertThat(record.get("kind").asText()).isEqualTo("DOWNLOAD");
            assertThat(record.get("senderId").asText()).isEqualTo("DataCenterMSP");
            assertThat(record.get("collection").asText()).isEqualTo("secureInfo-DataCenterMSP-MailerBMSP");
            // The recipient checks the package's signature with the downloading identity's certificate, recorded here.
            assertThat(certificate(record.get("senderCertificatePem").asText()))
                    .isEqualTo(certificate(fx.dataCenter.certificatePem()));
            assertThat(record(transferId).has("senderCertificatePem")).isTrue();

            fx.submit(fx.meter("mB1"), ctx -> fx.information.acknowledgeInformation(ctx, "k", transferId));
            assertThat(fx.ledger.privateHistory(collection, Keys.informationPackage(transferId))).isEmpty();
        }

        @Test
        void is_for_the_data_center_only() {
            final String transferId = SealedPackage.transferIdFor("DataCenterMSP", "dl-1");
            final byte[] sealed = sealedPackage(transferId, "DataCenterMSP", "mB1", "rate-table", fx.meter("mA1"));
            fx.carrying(carrying(sealed)).rejectsWith(ErrorCode.NOT_AUTHORISED, fx.meter("mA1"), ctx ->
                    fx.information.downloadInformation(ctx, "dl-1", "mB1", "rate-table", String.valueOf(fx.nowSeconds() + 60)));
        }
    }

    // ---- queries and the collection's boundary ---------------------------------------------------------------------

    @Nested
    class GetInformationPackage {
        @Test
        void gives_the_recipient_org_on_its_own_peer_exactly_the_bytes_whose_hash_is_on_the_public_ledger() {
            final String transferId = requested();
            final byte[] sealed = packageFor(transferId);
            grant(transferId, sealed);

            final JsonNode view = LedgerFixture.json(fx.onPeerOf(Organisations.MAILER_B).evaluate(fx.meter("mB1"),
                    ctx -> fx.information.getInformationPackage(ctx, transferId)));

            final byte[] delivered = Base64.getDecoder().decode(view.get("packageBase64").asText());
            assertThat(delivered).isEqualTo(sealed);
            assertThat(SealedPackage.sha256Hex(delivered)).isEqualTo(record(transferId).get("packageSha256").asText());
        }

        @Test
        void an_org_outside_the_collection_cannot_read_the_package_from_the_contract_or_its_peer() {
            final String transferId = granted();
            final String key = packageKey(transferId);

            fx.onPeerOf(Organisations.POSTAL_AUTHORITY).rejectsWith(ErrorCode.NOT_AUTHORISED, fx.authority,
                    ctx -> fx.information.getInformationPackage(ctx, transferId));
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, fx.dataCenter,
                    ctx -> fx.information.getInformationPackage(ctx, transferId));
            // Straight at the peer, as a chaincode of the authority's own would ask: memberOnlyRead refuses the
            // creator, and a non-member peer never received the data.
            final FakeStub authorityOnOwnPeer = fx.ledger.newTransaction("q1", fx.now(), fx.authority.creator())
                    .onPeerOf(Organisations.POSTAL_AUTHORITY);
            assertThatThrownBy(() -> authorityOnOwnPeer.getPrivateData(COLLECTION_AB, key))
                    .hasMessageContaining("does not have read access");
            final FakeStub memberOnForeignPeer = fx.ledger.newTransaction("q2", fx.now(), fx.meter("mB1").creator())
                    .onPeerOf(Organisations.POSTAL_AUTHORITY);
            assertThatThrownBy(() -> memberOnForeignPeer.getPrivateData(COLLECTION_AB, key))
                    .hasMessageContaining("not available");
            fx.onPeerOf(Organisations.DATA_CENTER).rejectsWith(ErrorCode.PACKAGE_NOT_AVAILABLE, fx.meter("mB1"),
                    ctx -> fx.information.getInformationPackage(ctx, transferId));
            // Every peer has the hash, none outside the collection the bytes.
            assertThat(authorityOnOwnPeer.getPrivateDataHash(COLLECTION_AB, key)).isNotNull();
        }

        @Test
        void after_delivery_the_package_is_gone_and_only_its_hash_remains() {
            final String transferId = granted();
            fx.submit(fx.meter("mB1"), ctx -> fx.information.acceptInformation(ctx, "a", transferId));

            fx.onPeerOf(Organisations.MAILER_B).rejectsWith(ErrorCode.PACKAGE_NOT_AVAILABLE, fx.meter("mB1"),
                    ctx -> fx.information.getInformationPackage(ctx, transferId));
        }
    }

    @Nested
    class GetInformationTransfer {
        @Test
        void shows_the_public_record_to_parties_owners_data_center_and_authority_only() {
            final String transferId = requested();
            for (final TestIdentity reader : new TestIdentity[] {fx.mailerA, fx.mailerB, fx.dataCenter, fx.authority}) {
                assertThat(LedgerFixture.json(fx.evaluate(reader, ctx -> fx.information.getInformationTransfer(ctx,
                        transferId))).at("/informationTransfer/transferId").asText()).isEqualTo(transferId);
            }
            fx.rejectsWith(ErrorCode.UNKNOWN_TRANSFER, fx.mailerA,
                    ctx -> fx.information.getInformationTransfer(ctx, "info-none"));
        }
    }

    @Nested
    class GetMeterCertificate {
        @Test
        void gives_any_consortium_member_the_registered_certificate_to_seal_to_and_verify_with() {
            for (final TestIdentity reader : new TestIdentity[] {fx.meter("mA1"), fx.mailerB, fx.authority}) {
                final JsonNode view = LedgerFixture.json(fx.evaluate(reader,
                        ctx -> fx.information.getMeterCertificate(ctx, "mB1")));
                assertThat(view.get("certificatePem").asText()).isEqualTo(fx.meter("mB1").certificatePem());
                assertThat(view.get("ownerMsp").asText()).isEqualTo(Organisations.MAILER_B);
            }
            fx.rejectsWith(ErrorCode.NOT_AUTHORISED, TestIdentity.p256("UnknownMSP", "stranger"),
                    ctx -> fx.information.getMeterCertificate(ctx, "mB1"));
            fx.rejectsWith(ErrorCode.UNKNOWN_METER, fx.mailerA, ctx -> fx.information.getMeterCertificate(ctx, "mZ9"));
        }
    }

    @Nested
    class TheCollections {
        @Test
        void exist_in_the_network_configuration_for_every_pair_of_organisations_that_can_exchange_information() {
            final String[] owners = {Organisations.MAILER_A, Organisations.MAILER_B};
            for (final String sender : new String[] {Organisations.MAILER_A, Organisations.MAILER_B,
                    Organisations.DATA_CENTER}) {
                for (final String recipient : owners) {
                    final String name = SecureInformationCollections.between(sender, recipient);
                    assertThat(fx.ledger.collection(name)).as(name).hasValueSatisfying(collection -> {
                        assertThat(collection.memberMsps()).containsExactlyInAnyOrder(
                                java.util.stream.Stream.of(sender, recipient).distinct().toArray(String[]::new));
                        assertThat(collection.memberOnlyRead()).isTrue();
                        assertThat(collection.memberOnlyWrite()).as("expiry by anyone must purge").isFalse();
                        assertThat(collection.endorsingMsps()).isEqualTo(collection.memberMsps());
                    });
                }
            }
        }

        @Test
        void name_only_organisations_of_the_consortium() throws java.io.IOException {
            final JsonNode consortium = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    org.postalfunds.chaincode.fake.NetworkCollections.file().resolveSibling("consortium.json").toFile());
            final java.util.Set<String> msps = new java.util.TreeSet<>();
            consortium.get("peerOrgs").forEach(org -> msps.add(org.get("mspId").asText()));

            assertThat(msps).isEqualTo(new java.util.TreeSet<>(Organisations.CONSORTIUM));
            assertThat(consortium.at("/chaincode/collectionsConfig").asText()).isEqualTo("collections_config.json");
            assertThat(org.postalfunds.chaincode.fake.NetworkCollections.read()).allSatisfy(collection -> {
                assertThat(msps).containsAll(collection.memberMsps());
                assertThat(collection.name()).startsWith("secureInfo-");
            });
        }

        @Test
        void a_transfer_within_one_org_uses_that_orgs_own_collection() {
            final String transferId = request("mA2", "mA1", "config", "same-org");
            final byte[] sealed = sealedPackage(transferId, "mA1", "mA2", "config", fx.meter("mA1"));
            fx.carrying(carrying(sealed)).submit(fx.meter("mA1"),
                    ctx -> fx.information.grantInformation(ctx, "g", transferId, String.valueOf(fx.nowSeconds() + 600)));

            assertThat(fx.lastStub().privateWrites()).containsOnlyKeys("secureInfo-MailerAMSP");
        }
    }
}
