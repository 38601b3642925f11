package org.postalfunds.client.audit;

import java.util.ArrayList;
import java.util.List;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.AuditTotals;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.ledger.LedgerException;

/**
 * The conservation audit, re-derived by the client from what it reads. The ledger keeps moving while an
 * auditor reads it one query at a time, so the audit reads the contract's totals before and after; if they
 * differ, funds moved meanwhile and the audit runs again (a bounded number of times).
 */
public final class Auditor {
    /** Runs of the audit before it gives up on a ledger that never stands still. */
    public static final int MAX_ATTEMPTS = 3;
    private static final String[] CLASSES = {"METER", "ISSUED_FUNDS", "POSTAGE_REVENUE", "ALLOTMENT", "ESCROW"};

    /** What the audit reads. */
    public interface LedgerReader {
        AuditTotals totals() throws LedgerException;

        LedgerIndex index() throws LedgerException, InterruptedException;

        MeterView meter(String meterId) throws LedgerException;

        TransferView transfer(String transferId) throws LedgerException;

        Allotment allotment(String distributorMeterId, String recipientMeterId) throws LedgerException;
    }

    private Auditor() {
    }

    public static AuditReport audit(final LedgerReader reader) throws LedgerException, InterruptedException {
        AuditReport report = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            AuditTotals before = reader.totals();
            report = once(reader, before, attempt);
            AuditTotals after = reader.totals();
            if (sameBooks(before, after)) {
                return report;
            }
        }
        List<AuditCheck> checks = new ArrayList<>(report.checks());
        checks.add(AuditCheck.of("ledger stood still during the audit", "funds moved during each of "
                + MAX_ATTEMPTS + " runs", List.of("the totals changed while the audit read the ledger; the findings "
                + "above may be artefacts of that; run the audit again at a quieter time")));
        return new AuditReport(report.totals(), checks, report.eventsReplayed(), report.metersChecked(),
                report.transfersChecked(), report.allotmentsChecked(), MAX_ATTEMPTS);
    }

    private static AuditReport once(final LedgerReader reader, final AuditTotals totals, final int attempt)
            throws LedgerException, InterruptedException {
        LedgerIndex index = reader.index();
        List<AuditCheck> checks = new ArrayList<>();
        checks.add(sumIsZero(totals));

        // Meters: each control sum, and together they must make up the contract's per-class totals.
        List<String> brokenMeters = new ArrayList<>();
        long meterTotal = 0;
        long issuedTotal = 0;
        long revenueTotal = 0;
        long pieces = 0;
        long refunded = 0;
        long refundsCredited = 0;
        for (String meterId : index.meterIds()) {
            PsdRegisters registers = reader.meter(meterId).registers();
            if (!registers.controlSumHolds()) {
                brokenMeters.add("meter " + meterId + ": DR + AR + out + withdrawn != refilled + in + refunds credited,"
                        + " or refunded > AR (" + registers + ")");
            }
            meterTotal = Math.addExact(meterTotal, registers.descendingRegisterMinorUnits());
            issuedTotal = Math.addExact(issuedTotal, registers.issuedFundsBalanceMinorUnits());
            revenueTotal = Math.addExact(revenueTotal, registers.postageRevenueMinorUnits());
            pieces = Math.addExact(pieces, registers.pieceCount());
            refunded = Math.addExact(refunded, registers.refundedMinorUnits());
            refundsCredited = Math.addExact(refundsCredited, registers.refundsCreditedMinorUnits());
        }
        checks.add(AuditCheck.of("every meter's control sum holds", index.meterIds().size() + " meters", brokenMeters));
        List<String> meterTotals = new ArrayList<>();
        compare(meterTotals, "meters registered", index.meterIds().size(), totals.meters());
        compare(meterTotals, "METER total", meterTotal, totals.total("METER"));
        compare(meterTotals, "ISSUED_FUNDS total", issuedTotal, totals.total("ISSUED_FUNDS"));
        compare(meterTotals, "POSTAGE_REVENUE total", revenueTotal, totals.total("POSTAGE_REVENUE"));
        compare(meterTotals, "pieces printed", pieces, totals.pieces());
        compare(meterTotals, "postage refunded", refunded, totals.refundedMinorUnits());
        compare(meterTotals, "refunds credited", refundsCredited, totals.refundsCreditedMinorUnits());
        // Each approved refund takes postage revenue from the printing meter and credits one meter the same amount.
        compare(meterTotals, "refunds credited against postage refunded", refundsCredited, refunded);
        checks.add(AuditCheck.of("meter registers add up to the ledger totals", "METER " + meterTotal
                + ", ISSUED_FUNDS " + issuedTotal + ", POSTAGE_REVENUE " + revenueTotal + " minor units, refunded "
                + refunded, meterTotals));

        // Allotments: each control sum, and their sum.
        List<String> allotmentFindings = new ArrayList<>();
        long allotmentTotal = 0;
        for (LedgerIndex.AllotmentKey key : index.allotments()) {
            Allotment allotment = reader.allotment(key.distributorMeterId(), key.recipientMeterId());
            if (!allotment.controlSumHolds()) {
                allotmentFindings.add("allotment " + key.distributorMeterId() + " -> " + key.recipientMeterId()
                        + ": available + granted + released != funded + returned (" + allotment + ")");
            }
            allotmentTotal = Math.addExact(allotmentTotal, allotment.availableMinorUnits());
        }
        compare(allotmentFindings, "allotments", index.allotments().size(), totals.allotments());
        compare(allotmentFindings, "ALLOTMENT total", allotmentTotal, totals.total("ALLOTMENT"));
        checks.add(AuditCheck.of("every allotment's control sum holds and they add up",
                index.allotments().size() + " allotments, " + allotmentTotal + " minor units", allotmentFindings));

        // Escrows: every open one belongs to a transfer that holds funds, with its amount; none past its deadline.
        List<String> escrowFindings = new ArrayList<>();
        List<String> overdue = new ArrayList<>();
        long escrowTotal = 0;
        long openEscrows = 0;
        long transfersChecked = 0;
        for (Transfer known : index.transfers().values()) {
            if (!known.state().holdsEscrow()) {
                continue; // settled, expired or never funded: the events saw the last word on it
            }
            TransferView now = reader.transfer(known.transferId());
            transfersChecked++;
            Transfer transfer = now.transfer();
            if (!transfer.state().holdsEscrow()) {
                if (now.heldEscrow().isPresent()) {
                    escrowFindings.add("transfer " + transfer.transferId() + " is " + transfer.state()
                            + " but its escrow still holds " + now.escrow().heldMinorUnits() + " minor units");
                }
                continue;
            }
            Escrow escrow = now.escrow();
            if (escrow == null || escrow.heldMinorUnits() != transfer.amountMinorUnits()) {
                escrowFindings.add("transfer " + transfer.transferId() + " is " + transfer.state() + " for "
                        + transfer.amountMinorUnits() + " minor units but its escrow holds "
                        + (escrow == null ? "nothing" : escrow.heldMinorUnits()));
            }
            if (escrow != null) {
                escrowTotal = Math.addExact(escrowTotal, escrow.heldMinorUnits());
                openEscrows++;
            }
            if (transfer.deadlineEpochSeconds() <= totals.asOfEpochSeconds()) {
                overdue.add("transfer " + transfer.transferId() + " (" + transfer.donorMeterId() + " -> "
                        + transfer.recipientMeterId() + ", " + transfer.amountMinorUnits() + " minor units) is still "
                        + transfer.state() + " " + (totals.asOfEpochSeconds() - transfer.deadlineEpochSeconds())
                        + " s past its deadline; anyone may return the funds: postal meter expire " + transfer.transferId());
            }
        }
        compare(escrowFindings, "open escrows", openEscrows, totals.openEscrows());
        compare(escrowFindings, "ESCROW total", escrowTotal, totals.total("ESCROW"));
        checks.add(AuditCheck.of("every escrow belongs to an open transfer and holds its amount",
                openEscrows + " open escrows, " + escrowTotal + " minor units", escrowFindings));
        checks.add(AuditCheck.of("no escrow open past its deadline", overdue.size() + " past their deadline", overdue));

        return new AuditReport(totals, checks, index.events(), index.meterIds().size(), transfersChecked,
                index.allotments().size(), attempt);
    }

    private static AuditCheck sumIsZero(final AuditTotals totals) {
        List<String> findings = new ArrayList<>();
        long sum = 0;
        for (String accountClass : CLASSES) {
            sum = Math.addExact(sum, totals.total(accountClass));
        }
        if (sum != 0) {
            findings.add("the per-class totals sum to " + sum + " minor units, not 0");
        }
        if (totals.proof() == null || !totals.proof().balanced() || totals.proof().sumMinorUnits() != sum) {
            findings.add("the contract's own proof does not agree: " + totals.proof());
        }
        return AuditCheck.of("all accounts sum to zero", String.join(" + ", CLASSES) + " = " + sum, findings);
    }

    private static void compare(final List<String> findings, final String what, final long counted, final long reported) {
        if (counted != reported) {
            findings.add(what + ": counted " + counted + " account by account, the ledger's totals say " + reported);
        }
    }

    /** Same money in the same places, whatever the query time. */
    private static boolean sameBooks(final AuditTotals before, final AuditTotals after) {
        return before.totalsMinorUnits().equals(after.totalsMinorUnits()) && before.meters() == after.meters()
                && before.pieces() == after.pieces() && before.allotments() == after.allotments()
                && before.openEscrows() == after.openEscrows()
                && before.refundedMinorUnits() == after.refundedMinorUnits();
    }
}
