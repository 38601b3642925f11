package org.postalfunds.chaincode.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Movement;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * The double-entry books of one transaction. Every change of a balance goes through {@link #move}, which debits one
 * account and credits another by the same amount, and only along the movements this ledger knows:
 *
 * <pre>
 * ISSUED_FUNDS(m) -> METER(m)             refill
 * METER(m)        -> POSTAGE_REVENUE(m)   print postage
 * METER(m)        -> ISSUED_FUNDS(m)      withdrawal
 * METER           -> ESCROW | ALLOTMENT   grant, offer, fund an allotment
 * ESCROW | ALLOTMENT -> METER             accept, acknowledge, return to donor, release an allotment
 * ALLOTMENT       -> ESCROW               grant from an allotment
 * ESCROW          -> ALLOTMENT            return to the allotment the grant came from
 * POSTAGE_REVENUE(m) -> METER(c)          refund of a spoiled piece of m, credited to c (m, or its replacement)
 * METER(failed)   -> METER(replacement)   a failed PSD's balance to its replacement (replacePsd only)
 * </pre>
 *
 * {@link #requireBalanced()} then checks, from the account records themselves, that the transaction changed the
 * ledger's total by exactly zero.
 */
public final class Books {
    private final LedgerTx tx;
    private final List<Movement> movements = new ArrayList<>();
    /** Storage key -> the key's net balance before this transaction touched it. */
    private final Map<String, Long> netBefore = new LinkedHashMap<>();
    private final Map<String, AccountId> accountsByKey = new LinkedHashMap<>();

    public Books(final LedgerTx tx) {
        this.tx = tx;
    }

    public void move(final AccountId debit, final AccountId credit, final long amountMinorUnits) {
        Amounts.requirePositive(amountMinorUnits, "amount");
        touch(debit);
        touch(credit);
        switch (debit.accountClass()) {
            case ISSUED_FUNDS -> {
                requireSameMeter(debit, credit, AccountClass.METER);
                updateRegisters(credit.owner(), registers -> registers.refill(amountMinorUnits));
            }
            case METER -> {
                switch (credit.accountClass()) {
                    case POSTAGE_REVENUE -> {
                        requireSameMeter(debit, credit, AccountClass.POSTAGE_REVENUE);
                        updateRegisters(debit.owner(), registers -> registers.print(amountMinorUnits));
                    }
                    case ISSUED_FUNDS -> {
                        requireSameMeter(debit, credit, AccountClass.ISSUED_FUNDS);
                        updateRegisters(debit.owner(), registers -> registers.withdraw(amountMinorUnits));
                    }
                    case ESCROW, ALLOTMENT -> {
                        updateRegisters(debit.owner(), registers -> registers.transferOut(amountMinorUnits));
                        creditHolder(credit, debit, amountMinorUnits);
                    }
                    case METER -> {
                        // Only a replacement moves funds straight between two meters; every other transfer goes
                        // through escrow.
                        Invariants.check(!debit.owner().equals(credit.owner()), "movement " + debit + " to itself");
                        updateRegisters(debit.owner(), registers -> registers.transferOut(amountMinorUnits));
                        updateRegisters(credit.owner(), registers -> registers.transferIn(amountMinorUnits));
                    }
                    default -> unknownMovement(debit, credit);
                }
            }
            case POSTAGE_REVENUE -> {
                if (credit.accountClass() != AccountClass.METER) {
                    unknownMovement(debit, credit);
                }
                // Two updates of one key when c == m: the second reads the first from the transaction's cache.
                updateRegisters(debit.owner(), registers -> registers.refundPostage(amountMinorUnits));
                updateRegisters(credit.owner(), registers -> registers.creditRefund(amountMinorUnits));
            }
            case ESCROW, ALLOTMENT -> {
                if (credit.accountClass() == AccountClass.METER) {
                    debitHolder(debit, credit, amountMinorUnits);
                    updateRegisters(credit.owner(), registers -> registers.transferIn(amountMinorUnits));
                } else if (credit.accountClass() != debit.accountClass()
                        && (credit.accountClass() == AccountClass.ESCROW
                                || credit.accountClass() == AccountClass.ALLOTMENT)) {
                    debitHolder(debit, credit, amountMinorUnits);
                    creditHolder(credit, debit, amountMinorUnits);
                } else {
                    unknownMovement(debit, credit);
                }
            }
            default -> unknownMovement(debit, credit);
        }
        movements.add(new Movement(debit.toString(), credit.toString(), amountMinorUnits));
    }

    /** Creates the escrow of a transfer, empty; the first movement into it follows in the same transaction. */
    public void openEscrow(final Escrow escrow) {
        Invariants.check(escrow.heldMinorUnits() == 0, "an escrow opens empty");
        final AccountId account = AccountId.escrow(escrow.transferId());
        Invariants.check(!tx.exists(account.storageKey()), "escrow " + escrow.transferId() + " opened twice");
        touch(account);
        tx.write(account.storageKey(), escrow);
    }

    /** Creates an empty allotment account. */
    public void openAllotment(final Allotment allotment) {
        final AccountId account = AccountId.allotment(allotment.distributorMeterId(), allotment.recipientMeterId());
        Invariants.check(!tx.exists(account.storageKey()), "allotment " + account + " opened twice");
        Invariants.check(allotment.availableMinorUnits() == 0, "an allotment opens empty");
        touch(account);
        tx.write(account.storageKey(), allotment);
    }

    public List<Movement> movements() {
        return List.copyOf(movements);
    }

    /** Conservation: the accounts this transaction touched sum to what they summed to before. */
    public void requireBalanced() {
        long change = 0;
        for (final Map.Entry<String, Long> entry : netBefore.entrySet()) {
            change = Math.addExact(change, Math.subtractExact(net(entry.getKey()), entry.getValue()));
        }
        Invariants.check(change == 0, "transaction changes the ledger total by " + change + " minor units");
    }

    private void touch(final AccountId account) {
        final String key = account.storageKey();
        if (!netBefore.containsKey(key)) {
            accountsByKey.put(key, account);
            netBefore.put(key, net(key));
        }
    }

    private long net(final String key) {
        final AccountId sample = accountAt(key);
        return switch (sample.accountClass()) {
            case METER, ISSUED_FUNDS, POSTAGE_REVENUE -> tx.read(key, PsdRegisters.class)
                    .map(PsdRegisters::netBalanceMinorUnits).orElse(0L);
            case ALLOTMENT -> tx.read(key, Allotment.class).map(Allotment::availableMinorUnits).orElse(0L);
            case ESCROW -> tx.read(key, Escrow.class).map(Escrow::heldMinorUnits).orElse(0L);
        };
    }

    private AccountId accountAt(final String key) {
        return accountsByKey.get(key);
    }

    /** A meter's PSD registers: the key of its meter account (and its issued-funds and postage-revenue shares). */
    public static PsdRegisters registers(final LedgerTx tx, final String meterId) {
        final PsdRegisters registers = tx.read(Keys.meterAccount(meterId), PsdRegisters.class)
                .orElseThrow(() -> ErrorCode.INVARIANT_VIOLATED.exception("meter " + meterId + " has no PSD account"));
        Invariants.check(registers.meterId().equals(meterId), "PSD account of " + meterId + " names another meter");
        return registers;
    }

    private void updateRegisters(final String meterId, final UnaryOperator<PsdRegisters> change) {
        final PsdRegisters updated = change.apply(registers(tx, meterId));
        tx.write(AccountId.meter(meterId).storageKey(), updated);
    }

    private void creditHolder(final AccountId holder, final AccountId counterpart, final long amount) {
        if (holder.accountClass() == AccountClass.ESCROW) {
            final Escrow escrow = escrow(holder);
            tx.write(holder.storageKey(), escrow.withHeld(Amounts.add(escrow.heldMinorUnits(), amount)));
        } else {
            final Allotment allotment = allotment(holder);
            final Allotment updated = counterpart.accountClass() == AccountClass.ESCROW
                    ? allotment.returnFromEscrow(amount)
                    : allotment.fund(amount);
            tx.write(holder.storageKey(), updated);
        }
    }

    private void debitHolder(final AccountId holder, final AccountId counterpart, final long amount) {
        if (holder.accountClass() == AccountClass.ESCROW) {
            final Escrow escrow = escrow(holder);
            final long held = Amounts.debit(escrow.heldMinorUnits(), amount, "escrow " + holder.owner());
            if (held == 0) {
                tx.delete(holder.storageKey());
            } else {
                tx.write(holder.storageKey(), escrow.withHeld(held));
            }
        } else {
            final Allotment allotment = allotment(holder);
            final Allotment updated = counterpart.accountClass() == AccountClass.ESCROW
                    ? allotment.grant(amount)
                    : allotment.release(amount);
            tx.write(holder.storageKey(), updated);
        }
    }

    private Escrow escrow(final AccountId account) {
        return tx.read(account.storageKey(), Escrow.class)
                .orElseThrow(() -> ErrorCode.INVARIANT_VIOLATED.exception(
                        "movement through escrow " + account.owner() + ", which is not open"));
    }

    private Allotment allotment(final AccountId account) {
        return tx.read(account.storageKey(), Allotment.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_ALLOTMENT.exception(
                        "meter " + account.owner() + " keeps no allotment for " + account.recipient()));
    }

    private static void requireSameMeter(final AccountId one, final AccountId other, final AccountClass otherClass) {
        Invariants.check(other.accountClass() == otherClass && one.owner().equals(other.owner()),
                "movement " + one + " -> " + other + " crosses meters");
    }

    private static void unknownMovement(final AccountId debit, final AccountId credit) {
        throw ErrorCode.INVARIANT_VIOLATED.exception(
                "the ledger has no movement " + debit.accountClass() + " -> " + credit.accountClass());
    }
}
