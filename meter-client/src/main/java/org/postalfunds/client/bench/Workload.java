package org.postalfunds.client.bench;

import java.security.GeneralSecurityException;
import java.time.Duration;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Postage;

/**
 * One benchmark operation, run in a loop by each worker; an operation is one or more transactions (a pull transfer
 * is three). A failed transaction is already counted by the recorder; the worker goes on with its next operation.
 */
@FunctionalInterface
public interface Workload {
    void operation(int worker, int workers, long iteration) throws LedgerException, GeneralSecurityException;

    /** Deadlines far enough ahead that no benchmark transfer expires while it runs. */
    Duration DEADLINE = Duration.ofHours(1);
    /** Each transfer moves one minor unit: funds last, and every amount is legal for every meter. */
    long AMOUNT = 1;

    /** (a) The trivial transaction: one blind key write, the ratio's denominator. */
    static Workload baseline(final BenchConsortium consortium) {
        return (worker, workers, iteration) -> {
            final RequestId id = RequestId.random();
            consortium.baseline().submit(LedgerCall.transaction("Baseline:write", id.value(), Long.toString(iteration)));
        };
    }

    /** (b) The data center refills the pairs' donors in turn. */
    static Workload refill(final BenchConsortium consortium) {
        return (worker, workers, iteration) -> consortium.dataCenter().refill(RequestId.random(),
                consortium.donor(pairOf(worker, workers, iteration, consortium)).meterId(), AMOUNT);
    }

    /**
     * (c) Print postage. A PSD prints one piece after another (the piece number is the register's count + 1), so each
     * worker prints with its own pair's (funded) donor meter; more workers than pairs share meters and conflict.
     */
    static Workload print(final BenchConsortium consortium) {
        final Postage letter = new Postage(AMOUNT, "10115", "DE", "LETTER-STD");
        return (worker, workers, iteration) -> consortium.donor(worker % consortium.pairs())
                .printPostage(RequestId.random(), letter);
    }

    /** (d) A full pull transfer: the recipient requests, the donor grants, the recipient accepts. */
    static Workload pull(final BenchConsortium consortium, final java.time.Clock clock) {
        return (worker, workers, iteration) -> {
            final int pair = pairOf(worker, workers, iteration, consortium);
            pullTransfer(consortium.donor(pair), consortium.recipient(pair), clock);
        };
    }

    /** (e) A push transfer: the donor offers, the recipient acknowledges. */
    static Workload push(final BenchConsortium consortium, final java.time.Clock clock) {
        return (worker, workers, iteration) -> {
            final int pair = pairOf(worker, workers, iteration, consortium);
            final MeterClient donor = consortium.donor(pair);
            final MeterClient recipient = consortium.recipient(pair);
            final String transferId = donor.offer(RequestId.random(), recipient.meterId(), AMOUNT,
                    clock.instant().plus(DEADLINE)).transfer().transferId();
            recipient.acknowledge(RequestId.random(), transferId);
        };
    }

    /**
     * (f) One distributor serving its recipients at once: each worker takes recipients in turn, and every grant comes
     * from the distributor, drawing on that recipient's allotment.
     */
    static Workload distributor(final BenchConsortium consortium, final java.time.Clock clock) {
        return (worker, workers, iteration) -> {
            final int index = (int) ((worker + iteration * workers) % consortium.distributorRecipients());
            pullTransfer(consortium.distributor(), consortium.distributorRecipient(index), clock);
        };
    }

    /** Request (recipient), grant (donor), accept (recipient): three transactions. */
    private static void pullTransfer(final MeterClient donor, final MeterClient recipient, final java.time.Clock clock)
            throws LedgerException {
        final String transferId = recipient.request(RequestId.random(), donor.meterId(), AMOUNT,
                clock.instant().plus(DEADLINE)).transfer().transferId();
        donor.grant(RequestId.random(), transferId, clock.instant().plus(DEADLINE));
        recipient.accept(RequestId.random(), transferId);
    }

    /** Spreads workers over the pairs; with at least as many pairs as workers, no two workers share a key. */
    static int pairOf(final int worker, final int workers, final long iteration, final BenchConsortium consortium) {
        if (workers >= consortium.pairs()) {
            return worker % consortium.pairs();
        }
        final int pairsPerWorker = consortium.pairs() / workers;
        return (int) (worker * pairsPerWorker + iteration % pairsPerWorker);
    }
}
