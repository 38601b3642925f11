package org.postalfunds.chaincode.audit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.hyperledger.fabric.shim.ledger.KeyModification;
import org.hyperledger.fabric.shim.ledger.KeyValue;
import org.hyperledger.fabric.shim.ledger.QueryResultsIterator;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterInflow;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.ledger.AccountClass;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.support.Json;
import org.postalfunds.chaincode.transfer.TransferService;

/** Ledger-wide audit: the conservation proof, and the history of any one account. */
public final class AuditService {

    /**
     * Sums every account on the ledger by class. Every account key is read and parsed, which re-checks each PSD's
     * and each allotment's control sum; the classes must sum to zero. A meter's inflow key (credits not yet folded
     * into its registers) counts in METER and is reported on its own as well ({@code pendingInflowMinorUnits}).
     */
    public Map<String, Object> totals(final LedgerTx tx, final Caller caller) {
        caller.requireAuditor("auditTotals");
        final Map<AccountClass, Long> totals = new EnumMap<>(AccountClass.class);
        for (final AccountClass accountClass : AccountClass.values()) {
            totals.put(accountClass, 0L);
        }
        long meters = 0;
        long pieces = 0;
        long allotments = 0;
        long openEscrows = 0;
        long refunded = 0;
        long refundsCredited = 0;
        long pendingInflow = 0;
        long inflows = 0;
        final List<KeyValue> accounts = tx.list(Keys.ACCOUNT, Limits.MAX_AUDITED_ACCOUNTS);
        for (final KeyValue account : accounts) {
            final String kind = CompositeKey.parseCompositeKey(account.getKey()).getAttributes().get(0);
            if (kind.equals(Keys.INFLOW)) {
                // Credits not yet folded into a meter's registers: the meter's money all the same.
                final long pending = Json.stored(account.getValue(), MeterInflow.class, account.getKey())
                        .pendingMinorUnits();
                add(totals, AccountClass.METER, pending);
                pendingInflow = Amounts.add(pendingInflow, pending);
                inflows++;
                continue;
            }
            switch (AccountClass.valueOf(kind)) {
                case METER -> {
                    final PsdRegisters registers = Json.stored(account.getValue(), PsdRegisters.class, account.getKey());
                    add(totals, AccountClass.METER, registers.descendingRegisterMinorUnits());
                    add(totals, AccountClass.ISSUED_FUNDS, registers.issuedFundsBalanceMinorUnits());
                    add(totals, AccountClass.POSTAGE_REVENUE, registers.postageRevenueMinorUnits());
                    refunded = Amounts.add(refunded, registers.refundedMinorUnits());
                    refundsCredited = Amounts.add(refundsCredited, registers.refundsCreditedMinorUnits());
                    pieces = Amounts.add(pieces, registers.pieceCount());
                    meters++;
                }
                case ALLOTMENT -> {
                    add(totals, AccountClass.ALLOTMENT,
                            Json.stored(account.getValue(), Allotment.class, account.getKey()).availableMinorUnits());
                    allotments++;
                }
                case ESCROW -> {
                    add(totals, AccountClass.ESCROW,
                            Json.stored(account.getValue(), Escrow.class, account.getKey()).heldMinorUnits());
                    openEscrows++;
                }
                default -> throw ErrorCode.INVARIANT_VIOLATED.exception("unexpected account key " + kind);
            }
        }
        long sum = 0;
        for (final long total : totals.values()) {
            sum = Amounts.add(sum, total);
        }
        final Map<String, Object> proof = new TreeMap<>();
        proof.put("equation", "METER + ISSUED_FUNDS + POSTAGE_REVENUE + ALLOTMENT + ESCROW == 0");
        proof.put("sumMinorUnits", sum);
        proof.put("balanced", sum == 0);
        proof.put("controlSumsChecked", meters + allotments);

        final Map<String, Object> report = new TreeMap<>();
        final Map<String, Long> named = new TreeMap<>();
        totals.forEach((accountClass, total) -> named.put(accountClass.name(), total));
        report.put("totalsMinorUnits", named);
        report.put("proof", proof);
        report.put("meters", meters);
        report.put("pieces", pieces);
        report.put("allotments", allotments);
        report.put("openEscrows", openEscrows);
        report.put("refundedMinorUnits", refunded);
        report.put("refundsCreditedMinorUnits", refundsCredited);
        report.put("pendingInflowMinorUnits", pendingInflow);
        report.put("inflows", inflows);
        report.put("asOfEpochSeconds", tx.nowEpochSeconds());
        return report;
    }

    /** The newest {@code limit} versions of one account's key, newest first. */
    public Map<String, Object> history(final LedgerTx tx, final Caller caller, final String accountId, final int limit) {
        final AccountId account = AccountId.parse(accountId);
        if (limit < 1 || limit > Limits.MAX_HISTORY_ENTRIES) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "limit must be 1.." + Limits.MAX_HISTORY_ENTRIES + ", was " + limit);
        }
        requireCanRead(tx, caller, account);
        final List<Map<String, Object>> entries = new ArrayList<>();
        try (QueryResultsIterator<KeyModification> history = tx.stub().getHistoryForKey(account.storageKey())) {
            for (final KeyModification modification : history) {
                if (entries.size() == limit) {
                    break;
                }
                final Map<String, Object> entry = new TreeMap<>();
                entry.put("txId", modification.getTxId());
                entry.put("timestampEpochSeconds", modification.getTimestamp().getEpochSecond());
                entry.put("deleted", modification.isDeleted());
                if (!modification.isDeleted()) {
                    entry.put("value", Json.tree(modification.getValue()));
                }
                entries.add(entry);
            }
        } catch (RuntimeException failure) {
            throw failure;
        } catch (Exception closing) {
            throw new IllegalStateException("closing a history query failed", closing);
        }
        final Map<String, Object> view = new TreeMap<>();
        view.put("accountId", account.toString());
        view.put("history", entries);
        return view;
    }

    private static void requireCanRead(final LedgerTx tx, final Caller caller, final AccountId account) {
        if (caller.isDataCenter() || caller.isPostalAuthority()) {
            return;
        }
        switch (account.accountClass()) {
            case METER, ISSUED_FUNDS, POSTAGE_REVENUE -> Meters.requireCanRead(caller, Meters.require(tx, account.owner()));
            case ALLOTMENT -> {
                final boolean recipientOwner = tx.read(Keys.meter(account.recipient()), Meter.class)
                        .map(recipient -> recipient.ownerMsp().equals(caller.mspId())).orElse(false);
                if (!recipientOwner) {
                    Meters.requireCanRead(caller, Meters.require(tx, account.owner()));
                }
            }
            case ESCROW -> TransferService.requireCanRead(caller, TransferService.require(tx, account.owner()));
            default -> throw new IllegalStateException("unknown account class");
        }
    }

    private static void add(final Map<AccountClass, Long> totals, final AccountClass accountClass, final long amount) {
        totals.put(accountClass, Amounts.add(totals.get(accountClass), amount));
    }
}
