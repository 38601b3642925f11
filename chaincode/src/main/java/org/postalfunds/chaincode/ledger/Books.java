package org.postalfunds.chaincode.ledger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.MeterInflow;
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
 *
 * <p>A meter's money lives on two keys: its PSD registers ({@code account~METER~m}) and its inflow
 * ({@code account~INFLOW~m}, {@link MeterInflow}). A credit from escrow or an allotment goes to the inflow only, so
 * it never touches the registers; a debit touches the registers only, and the inflow only when the registers are
 * short, to fold it in first ({@link #fold}). Credits of the data center and the postal authority (refill, refund)
 * and a replacement's balance fold and write the registers. So an accept into m and m's own grant commit in one
 * block (README, "Hot keys").
 */
public final class Books {
    /** What a touched key holds, for its net balance. */
    private enum Holding { REGISTERS, INFLOW, ALLOTMENT, ESCROW }

    private final LedgerTx tx;
    private final List<Movement> movements = new ArrayList<>();
    /** Storage key -> the key's net balance before this transaction touched it. */
    private final Map<String, Long> netBefore = new LinkedHashMap<>();
    private final Map<String, Holding> holdings = new LinkedHashMap<>();

    public Books(final LedgerTx tx) {
        this.tx = tx;
    }

    public void move(final AccountId debit, final AccountId credit, final long amountMinorUnits) {
        Amounts.requirePositive(amountMinorUnits, "amount");
        switch (debit.accountClass()) {
            case ISSUED_FUNDS -> {
                requireSameMeter(debit, credit, AccountClass.METER);
                creditRegisters(credit.owner(), registers -> registers.refill(amountMinorUnits));
            }
            case METER -> {
                switch (credit.accountClass()) {
                    case POSTAGE_REVENUE -> {
                        requireSameMeter(debit, credit, AccountClass.POSTAGE_REVENUE);
                        debitRegisters(debit.owner(), amountMinorUnits, registers -> registers.print(amountMinorUnits));
                    }
                    case ISSUED_FUNDS -> {
                        requireSameMeter(debit, credit, AccountClass.ISSUED_FUNDS);
                        debitRegisters(debit.owner(), amountMinorUnits,
                                registers -> registers.withdraw(amountMinorUnits));
                    }
                    case ESCROW, ALLOTMENT -> {
                        debitRegisters(debit.owner(), amountMinorUnits,
                                registers -> registers.transferOut(amountMinorUnits));
                        creditHolder(credit, debit, amountMinorUnits);
                    }
                    case METER -> {
                        // Only a replacement moves funds straight between two meters; every other transfer goes
                        // through escrow.
                        Invariants.check(!debit.owner().equals(credit.owner()), "movement " + debit + " to itself");
                        debitRegisters(debit.owner(), amountMinorUnits,
                                registers -> registers.transferOut(amountMinorUnits));
                        creditRegisters(credit.owner(), registers -> registers.transferIn(amountMinorUnits));
                    }
                    default -> unknownMovement(debit, credit);
                }
            }
            case POSTAGE_REVENUE -> {
                if (credit.accountClass() != AccountClass.METER) {
                    unknownMovement(debit, credit);
                }
                // Two updates of one key when c == m: the second reads the first from the transaction's cache.
                touch(Keys.meterAccount(debit.owner()), Holding.REGISTERS);
                tx.write(Keys.meterAccount(debit.owner()),
                        registers(tx, debit.owner()).refundPostage(amountMinorUnits));
                creditRegisters(credit.owner(), registers -> registers.creditRefund(amountMinorUnits));
            }
            case ESCROW, ALLOTMENT -> {
                if (credit.accountClass() == AccountClass.METER) {
                    debitHolder(debit, credit, amountMinorUnits);
                    creditInflow(credit.owner(), amountMinorUnits);
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

    /**
     * Folds the meter's pending inflow into its registers (descending and transferred-in grow by it) and sets the
     * inflow's balance ceiling to the exact balance. Only in the meter's own transactions, or where the whole balance
     * must be exact (refill, withdrawal, replacement): it reads and writes both of the meter's keys.
     *
     * @return the registers afterwards, which then hold the meter's whole balance
     */
    public PsdRegisters fold(final String meterId) {
        final String registersKey = Keys.meterAccount(meterId);
        final String inflowKey = Keys.meterInflow(meterId);
        touch(registersKey, Holding.REGISTERS);
        touch(inflowKey, Holding.INFLOW);
        PsdRegisters registers = registers(tx, meterId);
        final MeterInflow inflow = inflow(tx, meterId).orElse(null);
        if (inflow == null) {
            // A meter registered before inflow keys existed, never credited since: its registers are its balance.
            return registers;
        }
        if (inflow.pendingMinorUnits() > 0) {
            registers = registers.transferIn(inflow.pendingMinorUnits());
            tx.write(registersKey, registers);
        }
        if (inflow.pendingMinorUnits() > 0
                || inflow.balanceCeilingMinorUnits() != registers.descendingRegisterMinorUnits()) {
            tx.write(inflowKey, inflow.folded(registers.descendingRegisterMinorUnits()));
        }
        return registers;
    }

    /**
     * The meter's balance if it is above {@code limit}, else empty. Reads only the inflow while its ceiling is within
     * the limit; otherwise the registers too (the exact balance: may conflict with the meter's own debits, rare), and
     * tightens the ceiling to it.
     */
    public OptionalLong balanceAbove(final String meterId, final long limit) {
        final String inflowKey = Keys.meterInflow(meterId);
        final MeterInflow inflow = inflow(tx, meterId).orElse(null);
        if (inflow != null && inflow.balanceCeilingMinorUnits() <= limit) {
            return OptionalLong.empty();
        }
        final long pending = inflow == null ? 0 : inflow.pendingMinorUnits();
        final long exact = Amounts.add(registers(tx, meterId).descendingRegisterMinorUnits(), pending);
        if (inflow != null && inflow.balanceCeilingMinorUnits() != exact) {
            touch(inflowKey, Holding.INFLOW);
            tx.write(inflowKey, inflow.withCeiling(exact));
        }
        return exact > limit ? OptionalLong.of(exact) : OptionalLong.empty();
    }

    /** Creates the escrow of a transfer, empty; the first movement into it follows in the same transaction. */
    public void openEscrow(final Escrow escrow) {
        Invariants.check(escrow.heldMinorUnits() == 0, "an escrow opens empty");
        final AccountId account = AccountId.escrow(escrow.transferId());
        Invariants.check(!tx.exists(account.storageKey()), "escrow " + escrow.transferId() + " opened twice");
        touch(account.storageKey(), Holding.ESCROW);
        tx.write(account.storageKey(), escrow);
    }

    /** Creates an empty allotment account. */
    public void openAllotment(final Allotment allotment) {
        final AccountId account = AccountId.allotment(allotment.distributorMeterId(), allotment.recipientMeterId());
        Invariants.check(!tx.exists(account.storageKey()), "allotment " + account + " opened twice");
        Invariants.check(allotment.availableMinorUnits() == 0, "an allotment opens empty");
        touch(account.storageKey(), Holding.ALLOTMENT);
        tx.write(account.storageKey(), allotment);
    }

    public List<Movement> movements() {
        return List.copyOf(movements);
    }

    /**
     * Conservation: the keys this transaction touched sum to what they summed to before. A meter's inflow key counts
     * as its money (net = pending), so a credit into it and a fold out of it are checked like any other movement.
     */
    public void requireBalanced() {
        long change = 0;
        for (final Map.Entry<String, Long> entry : netBefore.entrySet()) {
            change = Math.addExact(change, Math.subtractExact(net(entry.getKey()), entry.getValue()));
        }
        Invariants.check(change == 0, "transaction changes the ledger total by " + change + " minor units");
    }

    private void touch(final String key, final Holding holding) {
        if (!netBefore.containsKey(key)) {
            holdings.put(key, holding);
            netBefore.put(key, net(key));
        }
    }

    private long net(final String key) {
        return switch (holdings.get(key)) {
            case REGISTERS -> tx.read(key, PsdRegisters.class).map(PsdRegisters::netBalanceMinorUnits).orElse(0L);
            case INFLOW -> tx.read(key, MeterInflow.class).map(MeterInflow::pendingMinorUnits).orElse(0L);
            case ALLOTMENT -> tx.read(key, Allotment.class).map(Allotment::availableMinorUnits).orElse(0L);
            case ESCROW -> tx.read(key, Escrow.class).map(Escrow::heldMinorUnits).orElse(0L);
        };
    }

    private static Holding holding(final AccountId account) {
        return switch (account.accountClass()) {
            case METER, ISSUED_FUNDS, POSTAGE_REVENUE -> Holding.REGISTERS;
            case ALLOTMENT -> Holding.ALLOTMENT;
            case ESCROW -> Holding.ESCROW;
        };
    }

    /**
     * A meter's PSD registers as stored: its key (and its issued-funds and postage-revenue shares) without the
     * inflow not yet folded in. For its whole balance see {@link #registersWithPending}.
     */
    public static PsdRegisters registers(final LedgerTx tx, final String meterId) {
        final PsdRegisters registers = tx.read(Keys.meterAccount(meterId), PsdRegisters.class)
                .orElseThrow(() -> ErrorCode.INVARIANT_VIOLATED.exception("meter " + meterId + " has no PSD account"));
        Invariants.check(registers.meterId().equals(meterId), "PSD account of " + meterId + " names another meter");
        return registers;
    }

    /** The meter's inflow; absent for a meter registered before inflow keys existed and not credited since. */
    public static java.util.Optional<MeterInflow> inflow(final LedgerTx tx, final String meterId) {
        final var inflow = tx.read(Keys.meterInflow(meterId), MeterInflow.class);
        inflow.ifPresent(found -> Invariants.check(found.meterId().equals(meterId),
                "inflow of " + meterId + " names another meter"));
        return inflow;
    }

    /**
     * The registers as the meter, its owner and auditors see them: pending inflow counted as folded (descending and
     * transferred-in include it). For queries and for transactions that may read both keys.
     */
    public static PsdRegisters registersWithPending(final LedgerTx tx, final String meterId) {
        final PsdRegisters registers = registers(tx, meterId);
        final long pending = inflow(tx, meterId).map(MeterInflow::pendingMinorUnits).orElse(0L);
        return pending == 0 ? registers : registers.transferIn(pending);
    }

    /** A debit of the meter: its registers only, unless they are short; then the inflow is folded in first. */
    private void debitRegisters(final String meterId, final long amount, final UnaryOperator<PsdRegisters> change) {
        final String key = Keys.meterAccount(meterId);
        touch(key, Holding.REGISTERS);
        PsdRegisters registers = registers(tx, meterId);
        if (registers.descendingRegisterMinorUnits() < amount) {
            // Still short after the fold: INSUFFICIENT_FUNDS names the whole balance, registers and pending.
            registers = fold(meterId);
        }
        tx.write(key, change.apply(registers));
    }

    /**
     * A credit straight into the registers (refill, refund, a replacement's balance): folds first and leaves the
     * ceiling exact, so the ceiling stays an upper bound of the balance.
     */
    private void creditRegisters(final String meterId, final UnaryOperator<PsdRegisters> change) {
        final PsdRegisters updated = change.apply(fold(meterId));
        tx.write(Keys.meterAccount(meterId), updated);
        inflow(tx, meterId).ifPresent(inflow ->
                tx.write(Keys.meterInflow(meterId), inflow.folded(updated.descendingRegisterMinorUnits())));
    }

    /** A credit from escrow or an allotment: the meter's inflow only, never its registers. */
    private void creditInflow(final String meterId, final long amount) {
        final String key = Keys.meterInflow(meterId);
        touch(key, Holding.INFLOW);
        final MeterInflow inflow = inflow(tx, meterId).orElseGet(() -> {
            // A meter registered before inflow keys existed: its first credit creates the key, protected exactly
            // like the meter's account, with the ceiling exact (one read of the registers, once).
            tx.copyEndorsement(Keys.meterAccount(meterId), key);
            return MeterInflow.empty(meterId).withCeiling(registers(tx, meterId).descendingRegisterMinorUnits());
        });
        tx.write(key, inflow.credit(amount));
    }

    private void creditHolder(final AccountId holder, final AccountId counterpart, final long amount) {
        touch(holder.storageKey(), holding(holder));
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
        touch(holder.storageKey(), holding(holder));
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
