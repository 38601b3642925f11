package org.postalfunds.hsm.server;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Status;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.pkcs11.PsdToken;
import org.postalfunds.hsm.pkcs11.TokenException;

/**
 * Signs the digests of one SignDigests request with one meter key, on the thread that received the request
 * and on up to {@code helpers} pool threads beside it. Each thread claims the next unsigned digest until none
 * is left, so a busy pool costs nothing: the receiving thread then signs them all itself. The token does the
 * signing in parallel sessions (SunPKCS11 keeps a session per operation in flight).
 */
final class BatchSigner {
    /** Fewer digests than this per helper are not worth waking a thread for (~10 us against ~45 us a signature). */
    static final int DIGESTS_PER_HELPER = 4;

    private static final Logger LOG = Logger.getLogger(BatchSigner.class.getName());

    private final PsdToken token;
    private final Executor helpers;
    private final int helperCount;

    /** @param helpers pool of {@code helperCount} threads, or null to sign every batch on the receiving thread */
    BatchSigner(final PsdToken token, final Executor helpers, final int helperCount) {
        this.token = token;
        this.helpers = helpers;
        this.helperCount = helpers == null ? 0 : helperCount;
    }

    /** One digest's result: the signature, or why not. */
    record Signed(byte[] signature, Status status) {
    }

    /** Signs every digest; never throws for a digest, its failure is its result. Results in digest order. */
    Signed[] sign(final String meterId, final List<byte[]> digests) {
        final Batch batch = new Batch(meterId, digests);
        final int wanted = Math.min(helperCount, digests.size() / DIGESTS_PER_HELPER);
        for (int i = 0; i < wanted; i++) {
            try {
                helpers.execute(batch::work);
            } catch (RejectedExecutionException e) {
                break;
            }
        }
        batch.work();
        batch.awaitAll();
        return batch.results;
    }

    private Signed signOne(final String meterId, final byte[] digest) {
        try {
            if (digest.length != PsdToken.DIGEST_LENGTH) {
                return new Signed(null, Status.INVALID_ARGUMENT.withDescription("digest must be "
                        + PsdToken.DIGEST_LENGTH + " bytes (SHA-256), got " + digest.length));
            }
            return new Signed(token.signDigest(meterId, digest), Status.OK);
        } catch (TokenException e) {
            return new Signed(null, PsdBridgeService.toStatus(e));
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "SignDigests for meter " + MeterIds.printable(meterId) + " failed", e);
            return new Signed(null, Status.INTERNAL.withDescription("SignDigests failed inside the bridge; see the bridge's log"));
        }
    }

    private final class Batch {
        private final String meterId;
        private final List<byte[]> digests;
        private final Signed[] results;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private final Thread owner = Thread.currentThread();

        Batch(final String meterId, final List<byte[]> digests) {
            this.meterId = meterId;
            this.digests = digests;
            this.results = new Signed[digests.size()];
            this.remaining = new AtomicInteger(digests.size());
        }

        void work() {
            for (int i = next.getAndIncrement(); i < results.length; i = next.getAndIncrement()) {
                results[i] = signOne(meterId, digests.get(i));
                if (remaining.decrementAndGet() == 0 && Thread.currentThread() != owner) {
                    LockSupport.unpark(owner);
                }
            }
        }

        /** Waits for digests a helper claimed and is still signing (at most one per helper). */
        void awaitAll() {
            while (remaining.get() > 0) {
                LockSupport.park(this);
            }
            // remaining reached 0 after every results[i] write: the AtomicInteger orders them before this read.
        }
    }
}
