package org.postalfunds.chaincode.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.postalfunds.chaincode.support.TransitionTableTest.PieceAction.PRINT;
import static org.postalfunds.chaincode.support.TransitionTableTest.PieceAction.REQUEST_REFUND;
import static org.postalfunds.chaincode.support.TransitionTableTest.PieceAction.SCAN;
import static org.postalfunds.chaincode.support.TransitionTableTest.PieceState.PRINTED;
import static org.postalfunds.chaincode.support.TransitionTableTest.PieceState.REFUNDED;
import static org.postalfunds.chaincode.support.TransitionTableTest.PieceState.SCANNED;

import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerRefusal;

/** The table itself, on a small lifecycle of a printed piece: total or no table at all; permit and its refusals. */
class TransitionTableTest {

    enum PieceState { PRINTED, SCANNED, REFUNDED }

    enum PieceAction { PRINT, SCAN, REQUEST_REFUND }

    record Piece(PieceState state, String scannedAt) {}

    /** The rows before the last one, so that each test can end the table its own way. */
    private static TransitionTable.Builder<Piece, PieceState, PieceAction> allButTheLastRow() {
        return TransitionTable.<Piece, PieceState, PieceAction>builder("piece", PieceState.class, PieceAction.class,
                        Piece::state, pieceId -> "piece " + pieceId)
                .allow(null, PRINT, PRINTED)
                .refuse(null, SCAN, ErrorCode.UNKNOWN_INDICIUM)
                .refuse(null, REQUEST_REFUND, ErrorCode.UNKNOWN_INDICIUM)

                .refuse(PRINTED, PRINT, ErrorCode.ILLEGAL_TRANSITION)
                .allow(PRINTED, SCAN, SCANNED)
                .allow(PRINTED, REQUEST_REFUND, REFUNDED)

                .refuse(SCANNED, PRINT, ErrorCode.ILLEGAL_TRANSITION)
                .refuse(SCANNED, SCAN, ErrorCode.INDICIUM_ALREADY_SCANNED)
                .refuse(SCANNED, REQUEST_REFUND, ErrorCode.ILLEGAL_TRANSITION)

                .refuse(REFUNDED, PRINT, ErrorCode.ILLEGAL_TRANSITION)
                .refuse(REFUNDED, SCAN, ErrorCode.ILLEGAL_TRANSITION)

                .because(ErrorCode.UNKNOWN_INDICIUM, refused -> "no piece " + refused.id() + " was printed")
                .because(ErrorCode.INDICIUM_ALREADY_SCANNED, refused -> "piece " + refused.id() + " was scanned at "
                        + refused.entity().scannedAt() + "; " + refused.actionWords() + " is not possible");
    }

    private static final TransitionTable<Piece, PieceState, PieceAction> TABLE =
            allButTheLastRow().refuse(REFUNDED, REQUEST_REFUND, ErrorCode.ILLEGAL_TRANSITION).build();

    private static LedgerRefusal refusal(final Piece piece, final PieceAction action) {
        return catchThrowableOfType(LedgerRefusal.class, () -> TABLE.permit("p1", piece, action));
    }

    @Test
    void an_allowed_cell_answers_the_state_it_leads_to() {
        assertThat(TABLE.permit("p1", null, PRINT)).isEqualTo(PRINTED);
        assertThat(TABLE.permit("p1", new Piece(PRINTED, null), SCAN)).isEqualTo(SCANNED);
        assertThat(TABLE.permit("p1", new Piece(PRINTED, null), REQUEST_REFUND)).isEqualTo(REFUNDED);
    }

    @Test
    void a_refused_cell_throws_its_code_with_the_reason_given_for_it() {
        final LedgerRefusal unknown = refusal(null, SCAN);
        final LedgerRefusal scanned = refusal(new Piece(SCANNED, "mail centre 7"), SCAN);

        assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN_INDICIUM);
        assertThat(unknown.getMessage()).isEqualTo("UNKNOWN_INDICIUM: no piece p1 was printed");
        assertThat(scanned.code()).isEqualTo(ErrorCode.INDICIUM_ALREADY_SCANNED);
        assertThat(scanned.getMessage())
                .isEqualTo("INDICIUM_ALREADY_SCANNED: piece p1 was scanned at mail centre 7; scan is not possible");
    }

    @Test
    void a_code_without_a_reason_gets_the_table_s_message_naming_entity_state_action_and_the_way_on() {
        final LedgerRefusal printedTwice = refusal(new Piece(PRINTED, null), PRINT);
        final LedgerRefusal refundAfterScan = refusal(new Piece(SCANNED, "mail centre 7"), REQUEST_REFUND);
        final LedgerRefusal refundedTwice = refusal(new Piece(REFUNDED, null), REQUEST_REFUND);

        assertThat(printedTwice.code()).isEqualTo(ErrorCode.ILLEGAL_TRANSITION);
        assertThat(printedTwice.getMessage()).isEqualTo(
                "ILLEGAL_TRANSITION: piece p1 is PRINTED: print is not possible (allowed: SCAN, REQUEST_REFUND)");
        assertThat(refundAfterScan.getMessage()).isEqualTo(
                "ILLEGAL_TRANSITION: piece p1 is SCANNED: request refund is not possible (allowed: none, it is final)");
        assertThat(refundedTwice.getMessage()).endsWith("(allowed: none, it is final)");
    }

    @Test
    void the_cells_are_every_state_and_none_times_every_action_in_the_table_s_order() {
        assertThat(TABLE.cells()).hasSize((PieceState.values().length + 1) * PieceAction.values().length);
        assertThat(TABLE.cells().get(0)).isEqualTo(new TransitionTable.Cell<>(null, PRINT, PRINTED, null));
        assertThat(TABLE.cell(SCANNED, SCAN).refusal()).isEqualTo(ErrorCode.INDICIUM_ALREADY_SCANNED);
        assertThat(TABLE.cell(SCANNED, SCAN).allowed()).isFalse();
        assertThat(TABLE.cell(null, PRINT).allowed()).isTrue();
        assertThat(TABLE.allowedActions(null)).isEqualTo("PRINT");
        assertThatThrownBy(() -> TABLE.cells().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void a_missing_cell_is_a_build_error() {
        assertThatThrownBy(() -> allButTheLastRow().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the piece table")
                .hasMessageContaining("missing [REFUNDED x REQUEST_REFUND], doubled []");
    }

    @Test
    void a_doubled_cell_is_a_build_error_even_when_the_count_is_right() {
        // Twelve rows for twelve cells, but one of them twice: the count alone would not see it.
        assertThatThrownBy(() -> allButTheLastRow().refuse(SCANNED, SCAN, ErrorCode.ILLEGAL_TRANSITION).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing [REFUNDED x REQUEST_REFUND], doubled [SCANNED x SCAN]");
    }

    @Test
    void a_reason_for_a_code_no_cell_refuses_with_is_a_build_error() {
        assertThatThrownBy(() -> allButTheLastRow().refuse(REFUNDED, REQUEST_REFUND, ErrorCode.ILLEGAL_TRANSITION)
                        .because(ErrorCode.UNKNOWN_REFUND, refused -> "no refund").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reasons for no refusal [UNKNOWN_REFUND]");
        assertThatThrownBy(() -> allButTheLastRow()
                        .because(ErrorCode.UNKNOWN_INDICIUM, refused -> "twice"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two reasons for UNKNOWN_INDICIUM");
    }

    /** A lifecycle holds its table in a static field: a table that is not total stops the class from loading. */
    static final class LifecycleWithAHole {
        static final TransitionTable<Piece, PieceState, PieceAction> TABLE = allButTheLastRow().build();
    }

    @Test
    void a_lifecycle_whose_table_is_not_total_does_not_load() {
        assertThatThrownBy(() -> LifecycleWithAHole.TABLE.cells())
                .isInstanceOf(ExceptionInInitializerError.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .satisfies(error -> assertThat(error.getCause())
                        .hasMessageContaining("missing [REFUNDED x REQUEST_REFUND]"));
    }
}
