package org.postalfunds.chaincode.bench;

import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.SUBMIT;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferKind;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.escrow.TransferParty;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.support.Boundary;
import org.postalfunds.chaincode.transfer.TransferIndexEntry;

/**
 * The benchmark's ledger seeder (chaincode-bench only, never in the production jar): writes settled pull transfers
 * in bulk, so the network benchmark can measure the production contract on a ledger that already holds many. Each
 * seeded transfer is what {@code acceptTransfer} leaves behind, written through the production's own {@link Keys},
 * {@link LedgerTx} and model classes: the {@code ACCEPTED} record under {@code transfer~{id}} with its three steps and
 * key-level endorsement, and both meters' {@code transfer-by-meter~{meter}~ACCEPTED~{id}} index entries; its escrow
 * is gone, as after a real accept. Directions alternate within a call, so an even count moves nothing net; the
 * meters' balances and registers are left as they are (no funds are created or destroyed).
 */
@Contract(name = "Seed", info = @Info(title = "Benchmark ledger seeder", version = "0.1.0"))
public final class SeedContract implements ContractInterface {
    /**
     * Transfers per call: 500 records and 1,000 index entries are about 0.6 MB of write set, well inside the
     * orderer's AbsoluteMaxBytes (10 MB in test-network/up.sh) and the peers' 100 MB gRPC message limit.
     */
    public static final int MAX_TRANSFERS_PER_CALL = 500;
    /** Seeded transfers are one minor unit, as the benchmark's own. */
    static final long AMOUNT_MINOR_UNITS = 1;

    /**
     * Any channel member: {@code count} settled transfers between two registered meters, alternating direction,
     * their ids the SHA-256 of {@code requestId:n} (so a repeated call writes the same keys again: idempotent).
     */
    @Transaction(intent = SUBMIT)
    public String seedSettledTransfers(final Context ctx, final String requestId, final String firstMeterId,
            final String secondMeterId, final String count) {
        return Boundary.run(() -> {
            Ids.require(requestId, "requestId");
            final int transfers = count(count);
            final LedgerTx tx = new LedgerTx(ctx.getStub());
            // The production's key-level policy on a transfer: the data center and both owners.
            final String dataCenter = Caller.of(ctx, tx).consortium().dataCenterMsp();
            final Meter first = Meters.require(tx, firstMeterId);
            final Meter second = Meters.require(tx, secondMeterId);
            if (first.meterId().equals(second.meterId())) {
                throw ErrorCode.SELF_TRANSFER.exception("meter " + first.meterId() + " cannot transfer to itself");
            }
            final long now = tx.nowEpochSeconds();
            for (int n = 0; n < transfers; n++) {
                final Meter donor = n % 2 == 0 ? first : second;
                final Meter recipient = n % 2 == 0 ? second : first;
                final String transferId = transferId(requestId, n);
                final Transfer settled = new Transfer(transferId, TransferKind.PULL, TransferState.ACCEPTED,
                        donor.meterId(), recipient.meterId(), donor.ownerMsp(), recipient.ownerMsp(), AMOUNT_MINOR_UNITS,
                        AccountId.meter(donor.meterId()).toString(), now + 3_600, now, now, null, List.of(
                                new TransferStep(TransferAction.REQUEST, TransferState.REQUESTED, now, tx.txId()),
                                new TransferStep(TransferAction.GRANT, TransferState.GRANTED, now, tx.txId()),
                                new TransferStep(TransferAction.ACCEPT, TransferState.ACCEPTED, now, tx.txId())));
                tx.write(Keys.transfer(transferId), settled);
                tx.requireEndorsement(Keys.transfer(transferId), List.of(dataCenter, donor.ownerMsp(), recipient.ownerMsp()));
                tx.write(Keys.transferByMeter(donor.meterId(), TransferState.ACCEPTED.name(), transferId),
                        new TransferIndexEntry(TransferParty.DONOR));
                tx.write(Keys.transferByMeter(recipient.meterId(), TransferState.ACCEPTED.name(), transferId),
                        new TransferIndexEntry(TransferParty.RECIPIENT));
            }
            tx.commit();
            return "{\"seeded\":" + transfers + "}";
        });
    }

    private static int count(final String count) {
        final int transfers;
        try {
            transfers = Integer.parseInt(count == null ? "" : count);
        } catch (NumberFormatException e) {
            throw ErrorCode.INVALID_ARGUMENT.exception("count must be a whole number, was " + count);
        }
        if (transfers < 1 || transfers > MAX_TRANSFERS_PER_CALL) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("count must be 1.." + MAX_TRANSFERS_PER_CALL + ", was " + transfers);
        }
        return transfers;
    }

    /** 64 hex digits, as a real transfer id (a transaction id) is. */
    static String transferId(final String requestId, final int n) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((requestId + ":" + n).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
