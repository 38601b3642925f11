package org.postalfunds.chaincode.ledger;

import java.util.Objects;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.chaincode.state.Keys;

/**
 * Names one account: {@code METER:m1}, {@code ISSUED_FUNDS:m1}, {@code POSTAGE_REVENUE:m1},
 * {@code ALLOTMENT:distributor:recipient}, {@code ESCROW:transferId}.
 *
 * @param owner the meter (or, for an escrow, the transfer) the account belongs to
 * @param recipient only for allotments: the recipient meter
 */
public record AccountId(AccountClass accountClass, String owner, String recipient) {

    public AccountId {
        Objects.requireNonNull(accountClass);
        Objects.requireNonNull(owner);
        if ((accountClass == AccountClass.ALLOTMENT) != (recipient != null)) {
            throw new IllegalArgumentException("only allotment accounts name a recipient");
        }
    }

    public static AccountId meter(final String meterId) {
        return new AccountId(AccountClass.METER, meterId, null);
    }

    public static AccountId issuedFunds(final String meterId) {
        return new AccountId(AccountClass.ISSUED_FUNDS, meterId, null);
    }

    public static AccountId postageRevenue(final String meterId) {
        return new AccountId(AccountClass.POSTAGE_REVENUE, meterId, null);
    }

    public static AccountId allotment(final String distributorMeterId, final String recipientMeterId) {
        return new AccountId(AccountClass.ALLOTMENT, distributorMeterId, recipientMeterId);
    }

    public static AccountId escrow(final String transferId) {
        return new AccountId(AccountClass.ESCROW, transferId, null);
    }

    /** Parses the text form; a malformed name is an INVALID_ARGUMENT. */
    public static AccountId parse(final String text) {
        final String[] parts = text == null ? new String[0] : text.split(":", -1);
        try {
            final AccountClass accountClass = AccountClass.valueOf(parts[0]);
            final int expected = accountClass == AccountClass.ALLOTMENT ? 3 : 2;
            if (parts.length != expected) {
                throw new IllegalArgumentException("wrong number of parts");
            }
            final String owner = Ids.require(parts[1], "account owner");
            final String recipient = expected == 3 ? Ids.require(parts[2], "allotment recipient") : null;
            return new AccountId(accountClass, owner, recipient);
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException malformed) {
            throw ErrorCode.INVALID_ARGUMENT.exception("accountId must look like METER:m1, ISSUED_FUNDS:m1, "
                    + "POSTAGE_REVENUE:m1, ALLOTMENT:d1:r1 or ESCROW:t1, was '" + text + "'");
        }
    }

    /** The state key that holds this account's balance. */
    public String storageKey() {
        return switch (accountClass) {
            case METER, ISSUED_FUNDS, POSTAGE_REVENUE -> Keys.meterAccount(owner);
            case ALLOTMENT -> Keys.allotment(owner, recipient);
            case ESCROW -> Keys.escrow(owner);
        };
    }

    @Override
    public String toString() {
        return accountClass + ":" + owner + (recipient == null ? "" : ":" + recipient);
    }
}
