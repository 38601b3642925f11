package org.postalfunds.chaincode.state;

import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIteratorWithMetadata;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;

/**
 * One page of a partial-composite-key query (read-only transactions only, as Fabric requires).
 *
 * @param bookmark where the next page starts; empty when there is none
 */
public record Page(List<KeyValue> entries, String bookmark) {
    private static final int MAX_BOOKMARK_CHARS = 1024;
    /** The shim ends a partial-composite-key range with U+10FFFF appended to the partial key. */
    private static final String MAX_UNICODE_RUNE = new String(Character.toChars(Character.MAX_CODE_POINT));

    public Page {
        entries = List.copyOf(entries);
    }

    public static Page of(
            final LedgerTx tx, final int pageSize, final String bookmark, final String objectType,
            final String... attributes) {
        Ids.requirePageSize(pageSize);
        final String start = bookmark == null ? "" : bookmark;
        if (start.length() > MAX_BOOKMARK_CHARS) {
            throw ErrorCode.INVALID_ARGUMENT.exception("bookmark is longer than " + MAX_BOOKMARK_CHARS + " characters");
        }
        // The peer starts a paged query at the bookmark, whatever it is: a bookmark from outside this query's range
        // would page through other keys (another meter's transfers, other object types), so only a key inside the
        // range is accepted. Bookmarks this query hands out always are.
        final CompositeKey partialKey = new CompositeKey(objectType, attributes);
        final String rangeStart = partialKey.toString();
        if (!start.isEmpty()
                && (!start.startsWith(rangeStart) || start.compareTo(rangeStart + MAX_UNICODE_RUNE) >= 0)) {
            throw ErrorCode.INVALID_ARGUMENT.exception("bookmark does not belong to this query; pass \"\" or the"
                    + " bookmark of its previous page");
        }
        final List<KeyValue> entries = new ArrayList<>();
        final String next;
        try (QueryResultsIteratorWithMetadata<KeyValue> results = tx.stub()
                .getStateByPartialCompositeKeyWithPagination(partialKey, pageSize, start)) {
            results.forEach(entries::add);
            next = results.getMetadata() == null ? "" : results.getMetadata().getBookmark();
        } catch (RuntimeException failure) {
            throw failure;
        } catch (Exception closing) {
            throw new IllegalStateException("closing a paged query failed", closing);
        }
        // Fabric hands back a bookmark even after the last page; an empty page is the end.
        return new Page(entries, entries.size() < pageSize ? "" : next);
    }
}
