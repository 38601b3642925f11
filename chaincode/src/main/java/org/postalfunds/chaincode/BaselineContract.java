package org.postalfunds.chaincode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.SUBMIT;

import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.support.Ids;

/**
 * The benchmark's baseline: the cheapest transaction the channel can commit, one key written under the same
 * chaincode, endorsement policy and network as the postal functions, so "postal tx/s / baseline tx/s" measures what
 * the ledger's rules cost and nothing else. It lives in its own key namespace ({@value #KEY_TYPE}), never reads or
 * touches funds, emits no event, and is open to consortium members only.
 */
@Contract(name = "Baseline", info = @Info(title = "Benchmark baseline", version = "0.1.0"))
public final class BaselineContract implements ContractInterface {
    static final String KEY_TYPE = "baseline";
    /** Enough for a counter or a timestamp; the baseline must stay trivial. */
    public static final int MAX_VALUE_CHARS = 256;

    /**
     * Any consortium member: writes {@code value} to {@code baseline~{requestId}}, a blind write (nothing read, so
     * never an MVCC conflict). Sending the same request id again writes the same key again: idempotent without a
     * request record, which would make the baseline cost two writes.
     */
    @Transaction(intent = SUBMIT)
    public String write(final Context ctx, final String requestId, final String value) {
        final Caller caller = Caller.of(ctx);
        if (!Organisations.CONSORTIUM.contains(caller.mspId())) {
            throw ErrorCode.NOT_AUTHORISED.exception("write is for consortium members only, caller is " + caller.mspId());
        }
        Ids.require(requestId, "requestId");
        if (value == null || value.length() > MAX_VALUE_CHARS) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("value must be at most " + MAX_VALUE_CHARS + " characters");
        }
        final String key = ctx.getStub().createCompositeKey(KEY_TYPE, requestId).toString();
        ctx.getStub().putState(key, value.getBytes(UTF_8));
        return "{\"requestId\":\"" + requestId + "\",\"chars\":" + value.length() + "}";
    }
}
