package org.postalfunds.client.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;

/** Reading chaincode events out of full blocks, as a replay of the past does against a peer. */
class BlockEventsTest {

    private static ByteString endorserTransaction(final String txId, final String chaincode, final String event,
            final String payload) {
        ChaincodeAction action = ChaincodeAction.newBuilder().setEvents(ChaincodeEvent.newBuilder().setChaincodeId(chaincode)
                .setTxId(txId).setEventName(event).setPayload(ByteString.copyFromUtf8(payload)).build().toByteString()).build();
        ProposalResponsePayload response = ProposalResponsePayload.newBuilder().setExtension(action.toByteString()).build();
        ChaincodeActionPayload actionPayload = ChaincodeActionPayload.newBuilder().setAction(ChaincodeEndorsedAction
                .newBuilder().setProposalResponsePayload(response.toByteString())).build();
        Transaction transaction = Transaction.newBuilder()
                .addActions(TransactionAction.newBuilder().setPayload(actionPayload.toByteString())).build();
        return envelope(txId, HeaderType.ENDORSER_TRANSACTION, transaction.toByteString());
    }

    private static ByteString envelope(final String txId, final HeaderType type, final ByteString data) {
        ChannelHeader header = ChannelHeader.newBuilder().setType(type.getNumber()).setTxId(txId).build();
        Payload payload = Payload.newBuilder().setHeader(Header.newBuilder().setChannelHeader(header.toByteString()))
                .setData(data).build();
        return Envelope.newBuilder().setPayload(payload.toByteString()).build().toByteString();
    }

    private static Block block(final long number, final byte[] validity, final ByteString... transactions) {
        BlockData.Builder data = BlockData.newBuilder();
        for (ByteString transaction : transactions) {
            data.addData(transaction);
        }
        BlockMetadata metadata = BlockMetadata.newBuilder().addMetadata(ByteString.EMPTY).addMetadata(ByteString.EMPTY)
                .addMetadata(ByteString.copyFrom(validity)).build();
        return Block.newBuilder().setHeader(BlockHeader.newBuilder().setNumber(number)).setData(data).setMetadata(metadata)
                .build();
    }

    @Test
    void events_of_valid_transactions_of_this_chaincode_come_out_in_order_with_block_and_transaction() {
        Block block = block(7, new byte[] {TxValidationCode.VALID_VALUE, TxValidationCode.MVCC_READ_CONFLICT_VALUE,
                TxValidationCode.VALID_VALUE, TxValidationCode.VALID_VALUE, TxValidationCode.VALID_VALUE},
                endorserTransaction("tx1", "postal-ledger", "Refilled", "{\"a\":1}"),
                endorserTransaction("tx2", "postal-ledger", "Refilled", "{\"a\":2}"),
                endorserTransaction("tx3", "other-chaincode", "Whatever", "{}"),
                envelope("cfg", HeaderType.CONFIG, ByteString.EMPTY),
                endorserTransaction("tx4", "postal-ledger", "TransferRequested", "{\"a\":4}"));

        assertThat(BlockEvents.chaincodeEvents(block, "postal-ledger")).containsExactly(
                new LedgerEvent(7, "tx1", "Refilled", "{\"a\":1}"),
                new LedgerEvent(7, "tx4", "TransferRequested", "{\"a\":4}"));
    }

    @Test
    void a_block_whose_validation_flags_do_not_match_its_transactions_is_refused() {
        Block block = block(3, new byte[] {TxValidationCode.VALID_VALUE},
                endorserTransaction("tx1", "postal-ledger", "Refilled", "{}"),
                endorserTransaction("tx2", "postal-ledger", "Refilled", "{}"));

        assertThatThrownBy(() -> BlockEvents.chaincodeEvents(block, "postal-ledger"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block 3");
    }
}
