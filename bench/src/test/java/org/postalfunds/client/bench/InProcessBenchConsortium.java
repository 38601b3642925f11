package org.postalfunds.client.bench;

import java.util.ArrayList;
import java.util.List;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;

/**
 * The benchmark's consortium on the in-process network: real contract, real blocks, every client on a
 * {@link TimedLedger} without retries. The network commits one transaction at a time, so it measures the client
 * and contract path, never MVCC conflicts between concurrent transactions.
 */
final class InProcessBenchConsortium implements BenchConsortium {
    private final Consortium consortium;
    private final LoadRecorder recorder;
    private final List<MeterClient> donors = new ArrayList<>();
    private final List<MeterClient> recipients = new ArrayList<>();
    private final List<MeterClient> distributorRecipients = new ArrayList<>();
    private final MeterClient distributor;
    private final DataCenterClient dataCenter;
    private final Ledger baseline;

    InProcessBenchConsortium(final Consortium consortium, final LoadRecorder recorder, final int pairs,
            final int distributorRecipientCount) throws LedgerException {
        this.consortium = consortium;
        this.recorder = recorder;
        for (int pair = 0; pair < pairs; pair++) {
            consortium.fundedMeter("donor-" + pair, Consortium.MAILER_A, 900_000);
            consortium.registerMeter("recipient-" + pair, Consortium.MAILER_B);
            consortium.meter("donor-" + pair).authoriseRequester(RequestId.random(), "recipient-" + pair);
            donors.add(timed("donor-" + pair));
            recipients.add(timed("recipient-" + pair));
        }
        consortium.fundedMeter("distributor", Consortium.MAILER_A, 900_000);
        final MeterClient setUp = consortium.meter("distributor");
        for (int index = 0; index < distributorRecipientCount; index++) {
            final String recipient = "served-" + index;
            consortium.registerMeter(recipient, index % 2 == 0 ? Consortium.MAILER_A : Consortium.MAILER_B);
            setUp.authoriseRequester(RequestId.random(), recipient);
            setUp.fundAllotment(RequestId.random(), recipient, 5_000);
            distributorRecipients.add(timed(recipient));
        }
        distributor = timed("distributor");
        dataCenter = DataCenterClient.of(connect(consortium.dataCenterIdentity));
        baseline = connect(consortium.mailerAOperator);
    }

    private Ledger connect(final TestIdentity identity) {
        return new TimedLedger(consortium.network.connect(identity.mspId(), Consortium.certificate(identity),
                Consortium.signer(identity), RetryPolicy.NONE), recorder);
    }

    private MeterClient timed(final String meterId) {
        final TestIdentity key = consortium.meterKey(meterId);
        return MeterClient.builder().ledger(connect(key)).meterId(meterId).psdSigner(Consortium.signer(key))
                .clock(consortium.clock()).build();
    }

    @Override
    public Ledger baseline() {
        return baseline;
    }

    @Override
    public DataCenterClient dataCenter() {
        return dataCenter;
    }

    @Override
    public int pairs() {
        return donors.size();
    }

    @Override
    public MeterClient donor(final int pair) {
        return donors.get(pair);
    }

    @Override
    public MeterClient recipient(final int pair) {
        return recipients.get(pair);
    }

    @Override
    public MeterClient distributor() {
        return distributor;
    }

    @Override
    public int distributorRecipients() {
        return distributorRecipients.size();
    }

    @Override
    public MeterClient distributorRecipient(final int index) {
        return distributorRecipients.get(index);
    }
}
