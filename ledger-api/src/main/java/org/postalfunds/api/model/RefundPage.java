package org.postalfunds.api.model;

import java.util.List;

/** One page of a meter's refunds, in piece order; an empty bookmark means this was the last page. */
public record RefundPage(List<Refund> refunds, String bookmark) {
    public RefundPage {
        refunds = refunds == null ? List.of() : List.copyOf(refunds);
        bookmark = bookmark == null ? "" : bookmark;
    }

    public boolean lastPage() {
        return bookmark.isEmpty();
    }
}
