package org.postalfunds.api.model;

import java.util.List;

/** One page of a meter's transfers in one state; an empty bookmark means this was the last page. */
public record TransferPage(List<Transfer> transfers, String bookmark) {
    public TransferPage {
        transfers = transfers == null ? List.of() : List.copyOf(transfers);
        bookmark = bookmark == null ? "" : bookmark;
    }

    public boolean lastPage() {
        return bookmark.isEmpty();
    }
}
