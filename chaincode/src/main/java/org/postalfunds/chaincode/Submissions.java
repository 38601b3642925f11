package org.postalfunds.chaincode;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.support.Hashes;
import org.postalfunds.chaincode.support.Json;

/**
 * The path every submit transaction takes: identify the caller, honour the request id, run the handler on a unit of
 * work, check conservation, record the outcome, emit one event, and only then write.
 */
final class Submissions {

    String submit(
            final Context ctx,
            final LedgerFunction function,
            final String requestId,
            final List<Object> arguments,
            final Function<Command, Outcome> handler) {
        final LedgerTx tx = new LedgerTx(ctx.getStub());
        final Caller caller = Caller.of(ctx, tx);
        if (function != LedgerFunction.INIT_CONSORTIUM) {
            caller.consortium(); // refused until the consortium is written, before anything else is looked at
        }
        Ids.require(requestId, "requestId");
        final String contentHash = contentHash(function.methodName(), caller, arguments);
        final String requestKey = Keys.request(caller.mspId(), requestId);

        final var earlier = tx.read(requestKey, RequestRecord.class);
        if (earlier.isPresent()) {
            if (earlier.get().contentHash().equals(contentHash)) {
                return earlier.get().outcome(); // a retry: same answer, nothing moves, nothing is written
            }
            throw ErrorCode.REQUEST_ID_REUSED.exception("request id " + requestId + " was used by "
                    + earlier.get().function() + " in transaction " + earlier.get().txId()
                    + " with different content");
        }

        final Books books = new Books(tx);
        final Outcome outcome = handler.apply(new Command(tx, books, caller));
        books.requireBalanced();

        final Map<String, Object> result = new TreeMap<>(outcome.details());
        result.put("event", outcome.eventName());
        result.put("requestId", requestId);
        result.put("txId", tx.txId());
        if (!books.movements().isEmpty()) {
            result.put("movements", books.movements());
        }
        final String resultJson = Json.text(result);
        tx.write(requestKey, new RequestRecord(
                requestId, caller.mspId(), function.methodName(), contentHash, resultJson, tx.txId(), tx.nowEpochSeconds()));
        tx.emit(outcome.eventName(), resultJson.getBytes(UTF_8));
        tx.commit();
        return resultJson;
    }

    /** Length-prefixed function, caller and arguments, hashed: equal hashes mean the same request. */
    static String contentHash(final String function, final Caller caller, final List<Object> arguments) {
        final List<String> fields = new ArrayList<>();
        fields.add(function);
        fields.add(caller.mspId());
        fields.add(caller.publicKeyFingerprint());
        arguments.forEach(argument -> fields.add(String.valueOf(argument)));
        final ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        for (final String field : fields) {
            final byte[] bytes = field.getBytes(UTF_8);
            encoded.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
            encoded.writeBytes(bytes);
        }
        return Hashes.sha256Hex(encoded.toByteArray());
    }

    /** Arguments as sent, nulls included (they are validated, and hashed, as "null"). */
    static List<Object> arguments(final Object... values) {
        return java.util.Arrays.asList(values);
    }

    /** A query: the caller read from its certificate, the answer as deterministic JSON; writes nothing. */
    static String evaluate(final Context ctx, final java.util.function.BiFunction<LedgerTx, Caller, Object> query) {
        final LedgerTx tx = new LedgerTx(ctx.getStub());
        final Caller caller = Caller.of(ctx, tx);
        caller.consortium();
        return Json.text(query.apply(tx, caller));
    }
}
