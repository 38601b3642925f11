package org.postalfunds.client.audit;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.BlockMetadataIndex;
import org.hyperledger.fabric.protos.common.ChannelHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.HeaderType;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.common.SignatureHeader;
import org.hyperledger.fabric.protos.msp.SerializedIdentity;
import org.hyperledger.fabric.protos.peer.ChaincodeAction;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.ChaincodeEvent;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.ProposalResponsePayload;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.hyperledger.fabric.protos.peer.TransactionAction;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.LedgerException;

/**
 * Verifies the chain itself from its blocks, as an auditor who trusts no peer's word: each block's header
 * hash is the next block's previous hash, each block's data hash covers its transactions, every
 * transaction id is the hash of its nonce and creator, every transaction is signed by its creator, every
 * endorsement signature verifies, and every valid transaction of the contract was endorsed by the
 * organisations that must always endorse (the data center, by the design).
 *
 * <p>What it does not do: validate certificates against the organisations' CAs in the channel
 * configuration, or re-evaluate key-level endorsement policies, which need the state at each block; the
 * peers did both at commit time. It re-checks what the blocks alone can prove.
 */
public final class ChainVerifier {
    /** Blocks verified in one run; a longer chain is verified in ranges. */
    public static final long MAX_BLOCKS = 10_000_000;
    private static final Duration WAIT = Duration.ofSeconds(1);

    private final String chaincodeName;
    private final Set<String> requiredEndorsers;

    public ChainVerifier(final String chaincodeName, final Set<String> requiredEndorsers) {
        this.chaincodeName = Objects.requireNonNull(chaincodeName, "chaincodeName");
        this.requiredEndorsers = Set.copyOf(requiredEndorsers);
    }

    /** Collects the findings of one run. */
    private static final class Findings {
        final List<String> chain = new ArrayList<>();
        final List<String> dataHashes = new ArrayList<>();
        final List<String> transactionIds = new ArrayList<>();
        final List<String> creators = new ArrayList<>();
        final List<String> endorsementSignatures = new ArrayList<>();
        final List<String> requiredEndorsements = new ArrayList<>();
        final List<String> malformed = new ArrayList<>();
        long blocks;
        long transactions;
        long endorsements;
    }

    /** Reads the feed to its end and verifies every block. */
    public ChainReport verify(final BlockFeed feed, final LedgerIndex.Progress progress)
            throws LedgerException, InterruptedException {
        return verify(feed, 0, progress);
    }

    /**
     * Verifies a range of the chain: the feed starts at block {@code firstBlock} (0 for the whole chain); the
     * first block's own previous hash is not checked, as the block before it is not in the range.
     */
    public ChainReport verify(final BlockFeed feed, final long firstBlock, final LedgerIndex.Progress progress)
            throws LedgerException, InterruptedException {
        Findings findings = new Findings();
        Block previous = null;
        long silentSince = System.nanoTime();
        while (!feed.ended()) {
            var next = feed.next(WAIT);
            if (next.isEmpty()) {
                if (!feed.ended() && System.nanoTime() - silentSince > LedgerIndex.MAX_SILENCE.toNanos()) {
                    throw LedgerException.transientFailure("verify-chain", "no block for "
                            + LedgerIndex.MAX_SILENCE.toSeconds() + " seconds after block " + (findings.blocks - 1));
                }
                continue;
            }
            silentSince = System.nanoTime();
            Block block = next.get();
            checkLinks(previous, block, firstBlock, findings);
            checkTransactions(block, findings);
            previous = block;
            findings.blocks++;
            if (findings.blocks > MAX_BLOCKS) {
                throw new IllegalStateException("more than " + MAX_BLOCKS + " blocks");
            }
            if (findings.blocks % 1_000 == 0) {
                progress.read(findings.blocks);
            }
        }
        List<AuditCheck> checks = new ArrayList<>();
        checks.add(AuditCheck.of("the blocks are chained by their header hashes", findings.blocks + " blocks", findings.chain));
        checks.add(AuditCheck.of("every block's data hash covers its transactions", findings.blocks + " blocks",
                findings.dataHashes));
        checks.add(AuditCheck.of("every block and transaction parses", findings.transactions + " transactions",
                findings.malformed));
        checks.add(AuditCheck.of("every transaction id is the hash of its nonce and creator",
                findings.transactions + " transactions", findings.transactionIds));
        checks.add(AuditCheck.of("every transaction is signed by its creator", findings.transactions + " transactions",
                findings.creators));
        checks.add(AuditCheck.of("every endorsement signature verifies", findings.endorsements + " endorsements",
                findings.endorsementSignatures));
        checks.add(AuditCheck.of("every valid transaction of " + chaincodeName + " is endorsed by " + requiredEndorsers,
                findings.transactions + " transactions", findings.requiredEndorsements));
        return new ChainReport(findings.blocks, findings.transactions, findings.endorsements, checks);
    }

    private static void checkLinks(final Block previous, final Block block, final long firstBlock,
            final Findings findings) {
        long number = block.getHeader().getNumber();
        long expected = previous == null ? firstBlock : previous.getHeader().getNumber() + 1;
        if (number != expected) {
            findings.chain.add("block " + number + " arrived where block " + expected + " belongs");
        }
        if (previous != null && !Arrays.equals(headerHash(previous.getHeader()), block.getHeader().getPreviousHash().toByteArray())) {
            findings.chain.add("block " + number + "'s previous hash is not the hash of block " + (number - 1) + "'s header");
        }
        if (!Arrays.equals(dataHash(block), block.getHeader().getDataHash().toByteArray())) {
            findings.dataHashes.add("block " + number + "'s data hash does not match its transactions: altered after ordering");
        }
    }

    private void checkTransactions(final Block block, final Findings findings) {
        long number = block.getHeader().getNumber();
        ByteString validity = block.getMetadata().getMetadataCount() > BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE
                ? block.getMetadata().getMetadata(BlockMetadataIndex.TRANSACTIONS_FILTER_VALUE) : ByteString.EMPTY;
        for (int i = 0; i < block.getData().getDataCount(); i++) {
            String where = "block " + number + " transaction " + i;
            try {
                Envelope envelope = Envelope.parseFrom(block.getData().getData(i));
                Payload payload = Payload.parseFrom(envelope.getPayload());
                ChannelHeader channelHeader = ChannelHeader.parseFrom(payload.getHeader().getChannelHeader());
                if (channelHeader.getType() != HeaderType.ENDORSER_TRANSACTION_VALUE) {
                    continue; // configuration: signed by orderers and admins, checked by the channel's own rules
                }
                findings.transactions++;
                where = "block " + number + " transaction " + channelHeader.getTxId();
                SignatureHeader signatureHeader = SignatureHeader.parseFrom(payload.getHeader().getSignatureHeader());
                String computedId = HexFormat.of().formatHex(sha256(signatureHeader.getNonce().concat(signatureHeader.getCreator())));
                if (!computedId.equals(channelHeader.getTxId())) {
                    findings.transactionIds.add(where + ": the id is not SHA-256(nonce || creator)");
                }
                Identity creator = identity(signatureHeader.getCreator());
                if (!verifies(creator.key(), envelope.getPayload(), envelope.getSignature())) {
                    findings.creators.add(where + ": the signature does not verify under its creator " + creator.msp());
                }
                boolean valid = i < validity.size() && validity.byteAt(i) == TxValidationCode.VALID_VALUE;
                checkEndorsements(Transaction.parseFrom(payload.getData()), valid, where, findings);
            } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
                findings.malformed.add(where + ": " + e.getMessage());
            }
        }
    }

    private void checkEndorsements(final Transaction transaction, final boolean valid, final String where,
            final Findings findings) throws IOException, GeneralSecurityException {
        for (TransactionAction action : transaction.getActionsList()) {
            ChaincodeEndorsedAction endorsed = ChaincodeActionPayload.parseFrom(action.getPayload()).getAction();
            ByteString responsePayload = endorsed.getProposalResponsePayload();
            Set<String> endorsers = new TreeSet<>();
            for (Endorsement endorsement : endorsed.getEndorsementsList()) {
                findings.endorsements++;
                Identity endorser = identity(endorsement.getEndorser());
                // The endorser signs the response payload followed by its own serialised identity.
                if (verifies(endorser.key(), responsePayload.concat(endorsement.getEndorser()), endorsement.getSignature())) {
                    endorsers.add(endorser.msp());
                } else {
                    findings.endorsementSignatures.add(where + ": the endorsement of " + endorser.msp() + " does not verify");
                }
            }
            ChaincodeAction chaincodeAction = ChaincodeAction.parseFrom(
                    ProposalResponsePayload.parseFrom(responsePayload).getExtension());
            boolean ours = chaincodeName.equals(ChaincodeEvent.parseFrom(chaincodeAction.getEvents()).getChaincodeId())
                    || chaincodeName.equals(chaincodeAction.getChaincodeId().getName());
            if (valid && ours && !endorsers.containsAll(requiredEndorsers)) {
                findings.requiredEndorsements.add(where + " was committed with valid endorsements from " + endorsers
                        + " only; " + requiredEndorsers + " must always endorse");
            }
        }
    }

    private record Identity(String msp, PublicKey key) {
    }

    private static Identity identity(final ByteString serialized) throws IOException, GeneralSecurityException {
        SerializedIdentity identity = SerializedIdentity.parseFrom(serialized);
        PublicKey key = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(identity.getIdBytes().toByteArray())).getPublicKey();
        return new Identity(identity.getMspid(), key);
    }

    private static boolean verifies(final PublicKey key, final ByteString data, final ByteString signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(data.toByteArray());
            return verifier.verify(signature.toByteArray());
        } catch (GeneralSecurityException notAValidSignature) {
            return false;
        }
    }

    /** Fabric's block header hash: SHA-256 of the DER SEQUENCE { INTEGER number, OCTET STRING previous, OCTET STRING data }. */
    public static byte[] headerHash(final BlockHeader header) {
        ASN1EncodableVector fields = new ASN1EncodableVector();
        fields.add(new ASN1Integer(new BigInteger(Long.toUnsignedString(header.getNumber()))));
        fields.add(new DEROctetString(header.getPreviousHash().toByteArray()));
        fields.add(new DEROctetString(header.getDataHash().toByteArray()));
        try {
            return sha256(ByteString.copyFrom(new DERSequence(fields).getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory cannot fail", e);
        }
    }

    /** Fabric's block data hash: SHA-256 of the transactions' bytes, concatenated. */
    public static byte[] dataHash(final Block block) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (ByteString transaction : block.getData().getDataList()) {
                digest.update(transaction.asReadOnlyByteBuffer());
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] sha256(final ByteString data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data.toByteArray());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
