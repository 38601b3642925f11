package org.postalfunds.client.bench;

import java.security.GeneralSecurityException;
import java.time.Duration;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;
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
            consortium.baseline().submit(LedgerCall.transaction(BaselineFunction.WRITE, id.value(), Long.toString(iteration)));
        };
    }

    /**
     * (a') The trivial transfer: {@code Baseline:transfer}, a debit and a credit of two keys with no rule checked.
     * Each worker moves between two balances of its own ({@code run} keeps runs apart), so nothing conflicts.
     */
    static Workload baselineTransfer(final BenchConsortium consortium, final String run) {
        return (worker, workers, iteration) -> {
            final String a = run + "-w" + worker + "-a";
            final String b = run + "-w" + worker + "-b";
            final boolean even = iteration % 2 == 0;
            consortium.baseline().submit(LedgerCall.transaction(BaselineFunction.TRANSFER, RequestId.random().value(),
                    even ? a : b, even ? b : a, Long.toString(AMOUNT)));
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
            afterCommit(() -> recipient.acknowledge(RequestId.random(), transferId));
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

    /**
     * (g) Secure information pushed: the pair's donor seals {@code bytes} of content to the recipient's PSD and
     * offers it (the package in the transient map, endorsed by the data center and both owners), the recipient
     * acknowledges (the package purged): two transactions.
     */
    static Workload securePush(final BenchConsortium consortium, final java.time.Clock clock, final int bytes) {
        final byte[] content = new byte[bytes];
        new java.util.Random(bytes).nextBytes(content);
        return (worker, workers, iteration) -> {
            final int pair = pairOf(worker, workers, iteration, consortium);
            final MeterClient donor = consortium.donor(pair);
            final MeterClient recipient = consortium.recipient(pair);
            final String transferId;
            try {
                transferId = donor.offerInformation(RequestId.random(), recipient.meterId(),
                        new org.postalfunds.client.secure.SecureItem("bench-" + bytes + "-" + iteration,
                                "application/octet-stream", content), clock.instant().plus(DEADLINE))
                        .informationTransfer().transferId();
            } catch (org.postalfunds.client.secure.SealingException e) {
                throw new IllegalStateException("cannot seal the benchmark's package", e);
            }
            afterCommit(() -> recipient.acknowledgeInformation(RequestId.random(), transferId));
        };
    }

    /**
     * (h) Signing end to end: the pair's donor prints a piece (its PSD signs the indicium, its key signs the
     * proposal and the transaction), then the recipient requests a transfer from it (a transfer step signed by the
     * other meter's key): two transactions. Run once on meters with file keys and once on meters whose keys are in
     * the HSM bridge's token; nothing else differs. The request reads nothing the print wrote (the donor's meter
     * record, not its account), so no step waits for another's block.
     */
    static Workload signing(final BenchConsortium consortium, final java.time.Clock clock) {
        final Postage letter = new Postage(AMOUNT, "10115", "DE", "LETTER-STD");
        return (worker, workers, iteration) -> {
            final int pair = pairOf(worker, workers, iteration, consortium);
            final MeterClient donor = consortium.donor(pair);
            donor.printPostage(RequestId.random(), letter);
            consortium.recipient(pair).request(RequestId.random(), donor.meterId(), AMOUNT, clock.instant().plus(DEADLINE));
        };
    }

    /**
     * (i) Contention: a ring of meters, each with its own client, worker {@code w} running a pull transfer from meter
     * {@code w} to meter {@code w+1} (the last to the first). Every meter is the donor of one flow and the recipient
     * of another at the same time, so whatever the contract writes per meter is written by two flows at once: the
     * MVCC conflicts counted are the contract's own hot keys, not the benchmark's.
     */
    static Workload ring(final java.util.List<MeterClient> ring, final java.time.Clock clock) {
        return (worker, workers, iteration) -> {
            final int meter = worker % ring.size();
            pullTransfer(ring.get(meter), ring.get((meter + 1) % ring.size()), clock);
        };
    }

    /** Request (recipient), grant (donor), accept (recipient): three transactions. */
    private static void pullTransfer(final MeterClient donor, final MeterClient recipient, final java.time.Clock clock)
            throws LedgerException {
        final String transferId = recipient.request(RequestId.random(), donor.meterId(), AMOUNT,
                clock.instant().plus(DEADLINE)).transfer().transferId();
        afterCommit(() -> donor.grant(RequestId.random(), transferId, clock.instant().plus(DEADLINE)));
        afterCommit(() -> recipient.accept(RequestId.random(), transferId));
    }

    /** A step of a flow, submitted as one transaction. */
    @FunctionalInterface
    interface Step {
        Object submit() throws LedgerException;
    }

    /** How often a flow's next step is repeated while an endorser has not seen the previous step's block. */
    int BEHIND_ATTEMPTS = 20;

    /**
     * The next step of a flow, right after the previous one committed on the client's own peer: while another
     * endorsing peer is still a block behind, the step is refused with a lag-sensitive code (each such refusal counted
     * as {@link FailureReason#ENDORSER_BEHIND}) and repeated after a short pause, as the product's retry policy does,
     * so the flow completes and its whole latency includes the wait.
     */
    static void afterCommit(final Step step) throws LedgerException {
        for (int attempt = 1; ; attempt++) {
            try {
                step.submit();
                return;
            } catch (LedgerException failure) {
                if (FailureReason.of(failure) != FailureReason.ENDORSER_BEHIND || attempt >= BEHIND_ATTEMPTS) {
                    throw failure;
                }
                try {
                    // The product's own pause for this failure (RetryPolicy.DEFAULT: 50-100 ms, then doubling), so
                    // the flow's whole latency is what a meter client would see; never a tight loop.
                    Thread.sleep(RetryPolicy.DEFAULT.backoffAfter(attempt, FailureKind.ENDORSER_BEHIND).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure;
                }
            }
        }
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
