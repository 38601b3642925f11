package org.postalfunds.client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.client.identity.Signers;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.client.ledger.InProcessNetwork;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.MutableClock;

/**
 * The consortium of the design, in-process: the data center, two mailers, the postal authority, and
 * meters with real P-256 keys, all on one {@link InProcessNetwork} running the real contract. The shared
 * fixture of the client's tests.
 */
public final class Consortium {
    public static final String DATA_CENTER = "DataCenterMSP";
    public static final String MAILER_A = "MailerAMSP";
    public static final String MAILER_B = "MailerBMSP";
    public static final String POSTAL_AUTHORITY = "PostalAuthorityMSP";
    public static final MeterLimits LIMITS = new MeterLimits(1_000_000, 10_000, 500_000);

    public final InProcessNetwork network = new InProcessNetwork();
    public final TestIdentity dataCenterIdentity = TestIdentity.p256(DATA_CENTER, "dc-operator");
    public final TestIdentity auditorIdentity = TestIdentity.p256(POSTAL_AUTHORITY, "auditor");
    public final TestIdentity mailerAOperator = TestIdentity.p256(MAILER_A, "mailer-a-operator");
    public final DataCenterClient dataCenter = DataCenterClient.of(connect(dataCenterIdentity));
    public final AuditorClient auditor = AuditorClient.of(connect(auditorIdentity));
    private final Map<String, TestIdentity> meterKeys = new HashMap<>();

    public MutableClock clock() {
        return network.clock();
    }

    public Ledger connect(final TestIdentity identity) {
        return network.connect(identity.mspId(), certificate(identity), signer(identity));
    }

    /** Registers a meter with a fresh P-256 key and returns its client, signing as the meter. */
    public MeterClient registerMeter(final String meterId, final String ownerMsp) throws LedgerException {
        return registerMeter(meterId, ownerMsp, MeterKind.POSTAL_METER);
    }

    public MeterClient registerMeter(final String meterId, final String ownerMsp, final MeterKind kind)
            throws LedgerException {
        TestIdentity key = TestIdentity.p256(ownerMsp, meterId);
        dataCenter.register(RequestId.random(), MeterRegistration.builder().meterId(meterId).ownerMsp(ownerMsp)
                .certificate(certificate(key)).kind(kind).model("PM-2000").limits(LIMITS)
                .keyAgreementCertificate(SoftwareKeyAgreement.certificate(meterId,
                        key.keyPair().getPrivate()))
                .build());
        meterKeys.put(meterId, key);
        return meter(meterId);
    }

    /** A client for a registered meter (a new one each time, as after a restart). */
    public MeterClient meter(final String meterId) {
        TestIdentity key = meterKeys.get(meterId);
        return MeterClient.builder().ledger(connect(key)).meterId(meterId).psdSigner(signer(key)).clock(clock()).build();
    }

    public TestIdentity meterKey(final String meterId) {
        return meterKeys.get(meterId);
    }

    /** A registered and refilled meter. */
    public MeterClient fundedMeter(final String meterId, final String ownerMsp, final long minorUnits)
            throws LedgerException {
        MeterClient meter = registerMeter(meterId, ownerMsp);
        dataCenter.refill(RequestId.random(), meterId, minorUnits);
        return meter;
    }

    public long available(final String meterId) throws LedgerException {
        return dataCenter.meter(meterId).registers().descendingRegisterMinorUnits();
    }

    public static Signer signer(final TestIdentity identity) {
        return Signers.newPrivateKeySigner(identity.keyPair().getPrivate());
    }

    public static X509Certificate certificate(final TestIdentity identity) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(identity.certificatePem().getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
