package org.postalfunds.client.ledger;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.List;
import org.hyperledger.fabric.client.identity.Signer;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadata;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Header;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.ChaincodeID;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Response;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.hyperledger.fabric.shim.Chaincode;
import org.postalfunds.chaincode.fake.FakeStub;
import org.postalfunds.chaincode.fake.TestIdentity;
import org.postalfunds.client.audit.ChainVerifier;

/** Fabric blocks for the in-process network, laid out as an orderer and its peers lay them out. */
public final class BlockBuilder {
    public static final String CHANNEL = "postal";
    public static final String CHAINCODE = "postal-ledger";

    private BlockBuilder() {
    }

    /** Block 0: the channel's configuration (no transactions of the contract). */
    static Block genesis() {
        ChannelHeader header = ChannelHeader.newBuilder().setType(HeaderType.CONFIG_VALUE).setChannelId(CHANNEL).build();
        Payload payload = Payload.newBuilder().setHeader(Header.newBuilder().setChannelHeader(header.toByteString())).build();
        ByteString envelope = Envelope.newBuilder().setPayload(payload.toByteString()).build().toByteString();
        return block(0, null, envelope, TxValidationCode.VALID);
    }

    /** One endorser transaction: signed by its creator, endorsed and signed by each peer. */
    static ByteString envelope(final FakeStub stub, final byte[] nonce, final byte[] creator, final Signer signer,
            final Chaincode.Response response, final List<TestIdentity> endorsingPeers) {
        ChaincodeAction.Builder action = ChaincodeAction.newBuilder()
                .setChaincodeId(ChaincodeID.newBuilder().setName(CHAINCODE))
                .setResponse(Response.newBuilder().setStatus(200)
                        .setPayload(ByteString.copyFrom(response.getPayload() == null ? new byte[0] : response.getPayload())));
        if (stub.eventName() != null) {
            action.setEvents(ChaincodeEvent.newBuilder().setChaincodeId(CHAINCODE).setTxId(stub.getTxId())
                    .setEventName(stub.eventName()).setPayload(ByteString.copyFrom(stub.eventPayload())).build().toByteString());
        }
        ByteString responsePayload = ProposalResponsePayload.newBuilder()
                .setProposalHash(ByteString.copyFrom(InProcessNetwork.sha256(stub.getTxId().getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .setExtension(action.build().toByteString()).build().toByteString();
        ChaincodeEndorsedAction.Builder endorsed = ChaincodeEndorsedAction.newBuilder().setProposalResponsePayload(responsePayload);
        for (TestIdentity peer : endorsingPeers) {
            ByteString endorser = ByteString.copyFrom(peer.creator());
            endorsed.addEndorsements(Endorsement.newBuilder().setEndorser(endorser)
                    .setSignature(ByteString.copyFrom(sign(peer, responsePayload.concat(endorser).toByteArray()))));
        }
        ByteString signatureHeader = SignatureHeader.newBuilder().setCreator(ByteString.copyFrom(creator))
                .setNonce(ByteString.copyFrom(nonce)).build().toByteString();
        Transaction transaction = Transaction.newBuilder().addActions(TransactionAction.newBuilder().setHeader(signatureHeader)
                .setPayload(ChaincodeActionPayload.newBuilder().setAction(endorsed).build().toByteString())).build();
        ChannelHeader channelHeader = ChannelHeader.newBuilder().setType(HeaderType.ENDORSER_TRANSACTION_VALUE)
                .setChannelId(CHANNEL).setTxId(stub.getTxId())
                .setTimestamp(Timestamp.newBuilder().setSeconds(stub.getTxTimestamp().getEpochSecond())).build();
        ByteString payload = Payload.newBuilder().setHeader(Header.newBuilder().setChannelHeader(channelHeader.toByteString())
                .setSignatureHeader(signatureHeader)).setData(transaction.toByteString()).build().toByteString();
        try {
            // The Gateway's signer is handed the SHA-256 digest of the payload, as here.
            byte[] signature = signer.sign(InProcessNetwork.sha256(payload.toByteArray()));
            return Envelope.newBuilder().setPayload(payload).setSignature(ByteString.copyFrom(signature)).build().toByteString();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the creator's signer failed", e);
        }
    }

    /** A block of one transaction, chained to the previous header. */
    public static Block block(final long number, final BlockHeader previous, final ByteString envelope,
            final TxValidationCode validation) {
        BlockData data = BlockData.newBuilder().addData(envelope).build();
        Block unhashed = Block.newBuilder().setData(data).build();
        BlockHeader header = BlockHeader.newBuilder().setNumber(number)
                .setPreviousHash(previous == null ? ByteString.EMPTY : ByteString.copyFrom(ChainVerifier.headerHash(previous)))
                .setDataHash(ByteString.copyFrom(ChainVerifier.dataHash(unhashed))).build();
        BlockMetadata metadata = BlockMetadata.newBuilder().addMetadata(ByteString.EMPTY).addMetadata(ByteString.EMPTY)
                .addMetadata(ByteString.copyFrom(new byte[] {(byte) validation.getNumber()})).build();
        return Block.newBuilder().setHeader(header).setData(data).setMetadata(metadata).build();
    }

    private static byte[] sign(final TestIdentity identity, final byte[] data) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(identity.keyPair().getPrivate());
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
