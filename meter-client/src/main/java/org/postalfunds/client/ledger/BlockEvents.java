package org.postalfunds.client.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/**
 * Reads the chaincode events out of a full block. A replay of the past uses full blocks rather than the
 * chaincode-event service because every block arrives, with or without events, so the replay knows
 * exactly when it has reached the block height it set out for.
 */
final class BlockEvents {
    private BlockEvents() {
    }

    /** Events of one chaincode in a block, from valid transactions only, in transaction order. */
    static List<LedgerEvent> chaincodeEvents(final Block block, final String chaincodeName) {
        long number = block.getHeader().getNumber();
        int transactions = block.getData().getDataCount();
        ByteString validity = block.getMetadata().getMetadataCount() > BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE
                ? block.getMetadata().getMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE)
                : ByteString.EMPTY;
        if (validity.size() != transactions) {
            throw new IllegalArgumentException("block " + number + " has " + transactions
                    + " transactions but " + validity.size() + " validation flags");
        }
        List<LedgerEvent> events = new ArrayList<>();
        try {
            for (int i = 0; i < transactions; i++) {
                if (validity.byteAt(i) != TxValidationCode.VALID_VALUE) {
                    continue; // an invalidated transaction changed nothing, so its event never happened
                }
                Payload payload = Payload.parseFrom(Envelope.parseFrom(block.getData().getData(i)).getPayload());
                ChannelHeader header = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
                if (header.getType() != HeaderType.ENDORSER_TRANSACTION_VALUE) {
                    continue;
                }
                for (TransactionAction action : Transaction.parseFrom(payload.getData()).getActionsList()) {
                    ChaincodeActionPayload actionPayload = ChaincodeActionPayload.parseFrom(action.getPayload());
                    ProposalResponsePayload response = ProposalResponsePayload.parseFrom(
                            actionPayload.getAction().getProposalResponsePayload());
                    ChaincodeEvent event = ChaincodeEvent.parseFrom(ChaincodeAction.parseFrom(response.getExtension()).getEvents());
                    if (chaincodeName.equals(event.getChaincodeId()) && !event.getEventName().isEmpty()) {
                        events.add(new LedgerEvent(number, header.getTxId(), event.getEventName(),
                                event.getPayload().toStringUtf8()));
                    }
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("block " + number + " does not parse: " + e.getMessage(), e);
        }
        return events;
    }
}
