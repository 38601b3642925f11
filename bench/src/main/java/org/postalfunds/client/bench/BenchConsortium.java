package org.postalfunds.client.bench;

import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.ledger.Ledger;

/**
 * The identities and meters a benchmark runs on, every client built on a {@link TimedLedger} of one recorder.
 * Meters come in pairs: the donor {@code 2i} lists the recipient {@code 2i+1} as an authorised requester, both are
 * funded, so each pair's transfers touch no other pair's keys. The distributor lists each of its recipients and
 * keeps a funded allotment for each.
 */
public interface BenchConsortium {
    /** Any consortium member's connection, for the baseline writes. */
    Ledger baseline();

    DataCenterClient dataCenter();

    /** Number of pairs of meters. */
    int pairs();

    MeterClient donor(int pair);

    MeterClient recipient(int pair);

    MeterClient distributor();

    int distributorRecipients();

    MeterClient distributorRecipient(int index);
}
