package org.postalfunds.chaincode.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.SUBMIT;

import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.chaincode.support.Boundary;

/**
 * The benchmark's baseline: the cheapest transaction the channel can commit, one key written under the same
 * chaincode, endorsement policy and network as the postal functions, so "postal tx/s / baseline tx/s" measures what
 * the ledger's rules cost and nothing else. It lives in its own key namespace ({@value #KEY_TYPE}), never reads or
 * touches funds and emits no event. It reads nothing, not even the consortium record: the channel's Writers policy
 * already admits only the channel's members, which is all a benchmark key needs.
 */
@Contract(name = "Baseline", info = @Info(title = "Benchmark baseline", version = "0.1.0"))
public final class BaselineContract implements ContractInterface {
    static final String KEY_TYPE = "baseline";
    /** The namespace of {@link #transfer}'s balances, apart from {@link #write}'s keys. */
    static final String ACCOUNT_KEY_TYPE = "baselineAccount";
    /** Enough for a counter or a timestamp; the baseline must stay trivial. */
    public static final int MAX_VALUE_CHARS = 256;

    /**
     * Any channel member: writes {@code value} to {@code baseline~{requestId}}, a blind write (nothing read, so
     * never an MVCC conflict). Sending the same request id again writes the same key again: idempotent without a
     * request record, which would make the baseline cost two writes.
     */
    @Transaction(intent = SUBMIT)
    public String write(final Context ctx, final String requestId, final String value) {
        return Boundary.run(() -> {
            Ids.require(requestId, "requestId");
            if (value == null || value.length() > MAX_VALUE_CHARS) {
                throw ErrorCode.LIMIT_EXCEEDED.exception("value must be at most " + MAX_VALUE_CHARS + " characters");
            }
            final String key = ctx.getStub().createCompositeKey(KEY_TYPE, requestId).toString();
            ctx.getStub().putState(key, value.getBytes(UTF_8));
            return "{\"requestId\":\"" + requestId + "\",\"chars\":" + value.length() + "}";
        });
    }

    /**
     * The baseline of a transfer: any consortium member moves {@code amount} from the balance under
     * {@code baselineAccount~{from}} to the one under {@code baselineAccount~{to}}: two keys read, two keys written,
     * no other check (a missing key is 0, balances may go negative), no request record, no event. Its ratio to a
     * postal transfer step is what the postal rules cost beyond a debit and a credit.
     */
    @Transaction(intent = SUBMIT)
    public String transfer(final Context ctx, final String requestId, final String fromAccount, final String toAccount,
            final String amount) {
        return Boundary.run(() -> {
            Ids.require(requestId, "requestId");
            Ids.require(fromAccount, "fromAccount");
            Ids.require(toAccount, "toAccount");
            final long value;
            try {
                value = Long.parseLong(amount == null ? "" : amount);
            } catch (NumberFormatException e) {
                throw ErrorCode.INVALID_ARGUMENT.exception("amount must be a whole number");
            }
            final String fromKey = ctx.getStub().createCompositeKey(ACCOUNT_KEY_TYPE, fromAccount).toString();
            final String toKey = ctx.getStub().createCompositeKey(ACCOUNT_KEY_TYPE, toAccount).toString();
            final long from = balance(ctx, fromKey) - value;
            final long to = balance(ctx, toKey) + value;
            ctx.getStub().putState(fromKey, Long.toString(from).getBytes(UTF_8));
            ctx.getStub().putState(toKey, Long.toString(to).getBytes(UTF_8));
            return "{\"from\":" + from + ",\"to\":" + to + "}";
        });
    }

    private static long balance(final Context ctx, final String key) {
        final byte[] stored = ctx.getStub().getState(key);
        if (stored == null || stored.length == 0) {
            return 0;
        }
        try {
            return Long.parseLong(new String(stored, UTF_8));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
