package org.postalfunds.client.cli;

import java.util.ArrayList;
import java.util.List;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.Movement;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.client.model.Receipt;
import org.postalfunds.client.model.TransferChange;

/** Human renderings of ledger values shared by the role commands. */
final class Formats {
    private Formats() {
    }

    static void receipt(final Output output, final Receipt receipt) {
        output.line("  request " + receipt.requestId() + ", transaction " + receipt.txId());
        for (Movement movement : receipt.movements()) {
            output.line("  moved " + output.amount(movement.amountMinorUnits()) + "  " + movement.debitAccount() + " -> "
                    + movement.creditAccount());
        }
    }

    static void transferChange(final Output output, final TransferChange change) {
        Transfer transfer = change.transfer();
        output.line(change.receipt().event() + ": transfer " + transfer.transferId());
        output.line("  " + transfer.kind() + " " + transfer.donorMeterId() + " -> " + transfer.recipientMeterId() + "  "
                + output.amount(transfer.amountMinorUnits()) + "  " + transfer.state() + "  deadline "
                + Output.time(transfer.deadlineEpochSeconds()));
        receipt(output, change.receipt());
        output.jsonText(change.receipt().json());
    }

    static void informationChange(final Output output, final org.postalfunds.client.model.InformationChange change) {
        org.postalfunds.api.model.InformationTransfer transfer = change.informationTransfer();
        output.line(change.receipt().event() + ": information transfer " + transfer.transferId());
        output.line("  " + transfer.kind() + " " + transfer.senderId() + " -> " + transfer.recipientMeterId() + "  '"
                + transfer.itemName() + "'  " + transfer.state() + "  deadline " + Output.time(transfer.deadlineEpochSeconds()));
        if (transfer.packageSha256() != null) {
            output.line("  package " + transfer.packageSizeBytes() + " bytes, SHA-256 " + transfer.packageSha256()
                    + (transfer.packageHeld() ? " (held in " + transfer.collection() + ")" : " (purged)"));
        }
        receipt(output, change.receipt());
        output.jsonText(change.receipt().json());
    }

    static List<String> meterHeaders() {
        return List.of("METER", "OWNER", "STATUS", "INSPECTION", "AVAILABLE", "POSTAGE USED", "PIECES", "CONTROL SUM");
    }

    static List<String> meterRow(final Output output, final MeterView view) {
        PsdRegisters registers = view.registers();
        return List.of(view.meter().meterId(), view.meter().ownerMsp(), view.meter().status().name(),
                view.inspection().status().name(), output.amount(registers.descendingRegisterMinorUnits()),
                output.amount(registers.ascendingRegisterMinorUnits()), Long.toString(registers.pieceCount()),
                registers.controlSumHolds() ? "holds" : "BROKEN");
    }

    static void meterDetails(final Output output, final MeterView view) {
        PsdRegisters r = view.registers();
        output.line("meter " + view.meter().meterId() + " (" + view.meter().kind() + ", " + view.meter().model()
                + ") of " + view.meter().ownerMsp() + ": " + view.meter().status()
                + (view.meter().statusReason() == null ? "" : " (" + view.meter().statusReason() + ")"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("available (descending register)", output.amount(r.descendingRegisterMinorUnits())));
        rows.add(List.of("postage used (ascending register)", output.amount(r.ascendingRegisterMinorUnits())));
        rows.add(List.of("pieces printed", Long.toString(r.pieceCount())));
        rows.add(List.of("refilled", output.amount(r.refilledMinorUnits())));
        rows.add(List.of("transferred in", output.amount(r.transferredInMinorUnits())));
        if (view.pendingInflowMinorUnits() > 0) {
            rows.add(List.of("of which pending inflow", output.amount(view.pendingInflowMinorUnits())));
        }
        rows.add(List.of("transferred out", output.amount(r.transferredOutMinorUnits())));
        rows.add(List.of("withdrawn", output.amount(r.withdrawnMinorUnits())));
        rows.add(List.of("postage refunded (of this meter's pieces)", output.amount(r.refundedMinorUnits())));
        rows.add(List.of("refunds credited (to this meter)", output.amount(r.refundsCreditedMinorUnits())));
        rows.add(List.of("control sum", r.controlSumHolds() ? "holds" : "BROKEN"));
        rows.add(List.of("inspection", view.inspection().status() + ", due " + Output.time(view.inspection().dueAtEpochSeconds())
                + ", overdue " + Output.time(view.inspection().overdueAtEpochSeconds())));
        rows.add(List.of("limits", "balance " + output.amount(view.meter().limits().maxBalanceMinorUnits()) + ", per piece "
                + output.amount(view.meter().limits().maxPostagePerPieceMinorUnits()) + ", per transfer "
                + output.amount(view.meter().limits().maxTransferMinorUnits())));
        output.table(List.of("REGISTER", "VALUE"), rows);
    }

    static void refundChange(final Output output, final org.postalfunds.client.model.RefundChange change) {
        output.line(change.receipt().event() + ": " + refundLine(output, change.refund()));
        change.creditedRegisters().ifPresent(registers -> output.line("  meter " + registers.meterId() + " available "
                + output.amount(registers.descendingRegisterMinorUnits())));
        receipt(output, change.receipt());
        output.jsonText(change.receipt().json());
    }

    static String refundLine(final Output output, final org.postalfunds.api.model.Refund refund) {
        return "refund of piece " + refund.pieceNumber() + " of meter " + refund.meterId() + "  "
                + output.amount(refund.amountMinorUnits()) + "  " + refund.state()
                + (refund.creditMeterId().equals(refund.meterId()) ? "" : "  credited to " + refund.creditMeterId())
                + "  reason: " + refund.reason()
                + (refund.decisionReason() == null ? "" : "  rejected: " + refund.decisionReason());
    }

    static List<String> refundHeaders() {
        return List.of("METER", "PIECE", "AMOUNT", "STATE", "CREDIT TO", "REQUESTED", "REASON", "ANSWER");
    }

    static List<String> refundRow(final Output output, final org.postalfunds.api.model.Refund refund) {
        return List.of(refund.meterId(), Long.toString(refund.pieceNumber()), output.amount(refund.amountMinorUnits()),
                refund.state().name(), refund.creditMeterId(), Output.time(refund.requestedAtEpochSeconds()),
                refund.reason(), refund.decisionReason() == null ? "" : refund.decisionReason());
    }

    /** "REQUESTED", "approved", "ALL" or null (all) -> the state, or null for all. */
    static org.postalfunds.api.model.RefundState refundState(final String text) throws BadInputException {
        if (text == null || text.equalsIgnoreCase("ALL")) {
            return null;
        }
        try {
            return org.postalfunds.api.model.RefundState.valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("unknown refund state " + text + "; one of "
                    + java.util.Arrays.toString(org.postalfunds.api.model.RefundState.values()) + " or ALL");
        }
    }

    static List<String> transferHeaders() {
        return List.of("TRANSFER", "KIND", "STATE", "DONOR", "RECIPIENT", "AMOUNT", "DEADLINE");
    }

    static List<String> transferRow(final Output output, final Transfer transfer) {
        return List.of(transfer.transferId(), transfer.kind().name(), transfer.state().name(), transfer.donorMeterId(),
                transfer.recipientMeterId(), output.amount(transfer.amountMinorUnits()),
                Output.time(transfer.deadlineEpochSeconds()));
    }
}
