package org.postalfunds.chaincode;

import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.EVALUATE;
import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.SUBMIT;
import static org.postalfunds.chaincode.Submissions.arguments;
import static org.postalfunds.chaincode.Submissions.evaluate;

import java.util.List;
import java.util.function.Function;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.information.InformationService;
import org.postalfunds.chaincode.support.Arguments;
import org.postalfunds.chaincode.support.Boundary;

/**
 * Secure information between meters (Fig. 7, claims 10-12): the funds protocol's request / grant / accept and
 * offer / acknowledge steps carrying a sealed package instead of an amount, on the same state machine, the same
 * request-id idempotency and one event per submit. A second contract of the same chaincode (functions
 * {@code SecureInformation:<name>}), so the funds contract's surface is unchanged; it shares the state, keys and
 * submission path.
 *
 * <p>Grant, offer and download carry the sealed package in the proposal's transient map under {@code package}: it
 * reaches only the private data collection of the two parties' organisations, never the public state or the block.
 */
@Contract(name = "SecureInformation", info = @Info(title = "Secure information between meters", version = "0.1.0"))
public final class SecureInformationContract implements ContractInterface {
    private final Submissions submissions = new Submissions();
    private final InformationService information = new InformationService();

    /** Recipient meter: asks a meter for a named item (pull). The transfer id is derived from meter and request id. */
    @Transaction(intent = SUBMIT)
    public String requestInformation(final Context ctx, final String requestId, final String recipientMeterId,
            final String senderMeterId, final String itemName, final String deadlineEpochSeconds) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REQUEST_INFORMATION, requestId,
                arguments(recipientMeterId, senderMeterId, itemName, deadlineEpochSeconds),
                command -> information.request(command, requestId, recipientMeterId, senderMeterId, itemName,
                        Arguments.deadline(deadlineEpochSeconds, "deadlineEpochSeconds"))));
    }

    /** Sender meter: answers a request with the sealed package (transient {@code package}), to be accepted in time. */
    @Transaction(intent = SUBMIT)
    public String grantInformation(final Context ctx, final String requestId, final String transferId,
            final String deliveryDeadlineEpochSeconds) {
        return Boundary.run(() -> {
            final byte[] sealed = sealedPackage(ctx);
            return submit(ctx, LedgerFunction.GRANT_INFORMATION, requestId,
                    arguments(transferId, deliveryDeadlineEpochSeconds, packageHash(sealed)),
                    command -> information.grant(command, transferId,
                            Arguments.deadline(deliveryDeadlineEpochSeconds, "deliveryDeadlineEpochSeconds"), sealed));
        });
    }

    @Transaction(intent = SUBMIT)
    public String denyInformation(final Context ctx, final String requestId, final String transferId,
            final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.DENY_INFORMATION, requestId, arguments(transferId, reason),
                command -> information.steps().deny(command, transferId, reason)));
    }

    /** Recipient meter: takes delivery; the package is purged from the collection, its hash stays on the ledger. */
    @Transaction(intent = SUBMIT)
    public String acceptInformation(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.ACCEPT_INFORMATION, requestId, arguments(transferId),
                command -> information.steps().accept(command, transferId)));
    }

    @Transaction(intent = SUBMIT)
    public String cancelInformation(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.CANCEL_INFORMATION, requestId, arguments(transferId),
                command -> information.steps().cancel(command, transferId)));
    }

    /** Sender meter: pushes a sealed package (transient {@code package}) for the recipient to acknowledge in time. */
    @Transaction(intent = SUBMIT)
    public String offerInformation(final Context ctx, final String requestId, final String senderMeterId,
            final String recipientMeterId, final String itemName, final String deadlineEpochSeconds) {
        return Boundary.run(() -> {
            final byte[] sealed = sealedPackage(ctx);
            return submit(ctx, LedgerFunction.OFFER_INFORMATION, requestId,
                    arguments(senderMeterId, recipientMeterId, itemName, deadlineEpochSeconds, packageHash(sealed)),
                    command -> information.offer(command, requestId, senderMeterId, recipientMeterId, itemName,
                            Arguments.deadline(deadlineEpochSeconds, "deadlineEpochSeconds"), sealed));
        });
    }

    /** DataCenter (the I/O module of claim 12): pushes a sealed package to a meter. */
    @Transaction(intent = SUBMIT)
    public String downloadInformation(final Context ctx, final String requestId, final String recipientMeterId,
            final String itemName, final String deadlineEpochSeconds) {
        return Boundary.run(() -> {
            final byte[] sealed = sealedPackage(ctx);
            return submit(ctx, LedgerFunction.DOWNLOAD_INFORMATION, requestId,
                    arguments(recipientMeterId, itemName, deadlineEpochSeconds, packageHash(sealed)),
                    command -> information.download(command, requestId, recipientMeterId, itemName,
                            Arguments.deadline(deadlineEpochSeconds, "deadlineEpochSeconds"), sealed,
                            callerCertificatePem(ctx)));
        });
    }

    @Transaction(intent = SUBMIT)
    public String acknowledgeInformation(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.ACKNOWLEDGE_INFORMATION, requestId, arguments(transferId),
                command -> information.steps().acknowledge(command, transferId)));
    }

    @Transaction(intent = SUBMIT)
    public String rejectInformation(final Context ctx, final String requestId, final String transferId,
            final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REJECT_INFORMATION, requestId, arguments(transferId, reason),
                command -> information.steps().reject(command, transferId, reason)));
    }

    /** Anyone, at or after the deadline: a request lapses, a held package is purged. */
    @Transaction(intent = SUBMIT)
    public String expireInformation(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.EXPIRE_INFORMATION, requestId, arguments(transferId),
                command -> information.steps().expire(command, transferId)));
    }

    /** Parties' owners, DataCenter, PostalAuthority: the public record (hash, size, parties, item, state, deadline). */
    @Transaction(intent = EVALUATE)
    public String getInformationTransfer(final Context ctx, final String transferId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> information.view(tx, caller, transferId)));
    }

    /** The parties' organisations, on one of their own peers: the sealed package, checked against the public hash. */
    @Transaction(intent = EVALUATE)
    public String getInformationPackage(final Context ctx, final String transferId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> information.sealedPackage(tx, caller, transferId)));
    }

    /**
     * Any consortium organisation: a registered meter's certificate, the key secure information is sealed to and
     * whose signature a recipient checks. Certificates are public by nature; balances and transfers stay behind
     * getMeter's owner check.
     */
    @Transaction(intent = EVALUATE)
    public String getMeterCertificate(final Context ctx, final String meterId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> information.certificate(tx, caller, meterId)));
    }

    private String submit(final Context ctx, final LedgerFunction function, final String requestId,
            final List<Object> arguments, final Function<Command, Outcome> handler) {
        return submissions.submit(ctx, function, requestId, arguments, handler);
    }

    /** The package from the transient map, bounded before anything else looks at it; null when absent. */
    private static byte[] sealedPackage(final Context ctx) {
        final byte[] sealed = ctx.getStub().getTransient().get(InformationService.PACKAGE_TRANSIENT_KEY);
        if (sealed != null && sealed.length > SealedPackage.MAX_PACKAGE_BYTES) {
            throw ErrorCode.MALFORMED_PACKAGE.exception("the sealed package has " + sealed.length
                    + " bytes; at most " + SealedPackage.MAX_PACKAGE_BYTES);
        }
        return sealed;
    }

    /** The caller's certificate, recorded on a download so the recipient can check whose key signed the package. */
    private static String callerCertificatePem(final Context ctx) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                            .encodeToString(ctx.getClientIdentity().getX509Certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw ErrorCode.NOT_AUTHORISED.exception("the caller's certificate cannot be encoded");
        }
    }

    /** The package enters the request's content hash by its SHA-256: a retry must carry the same package. */
    private static String packageHash(final byte[] sealed) {
        return sealed == null ? "no package" : SealedPackage.sha256Hex(sealed);
    }
}
