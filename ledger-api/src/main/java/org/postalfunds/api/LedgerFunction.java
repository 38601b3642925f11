package org.postalfunds.api;

import java.util.List;
import java.util.Optional;

/**
 * Every function of the contract: its contract, name, whether it is submitted (ordered, written) or evaluated (a
 * query on one peer), and its parameters in order (every one a string; a submit's first is the request id). Clients
 * call the ledger through these, never through function names typed as strings; the contract's tests check that
 * this list and its {@code @Transaction} methods are the same. The benchmark's baseline contract is not among them: it
 * lives only in the benchmark's own chaincode (chaincode-bench), and the benchmark module lists its functions.
 */
public enum LedgerFunction implements ChaincodeFunction {
    // ---- the postal funds ledger (the default contract) -----------------------------------------
    INIT_CONSORTIUM(Contract.POSTAL, "initConsortium", Intent.SUBMIT, "requestId", "consortiumJson"),
    ADMIT_METER_OWNER(Contract.POSTAL, "admitMeterOwner", Intent.SUBMIT, "requestId", "mspId"),
    REGISTER_METER(Contract.POSTAL, "registerMeter", Intent.SUBMIT, "requestId", "registrationJson"),
    REFILL_METER(Contract.POSTAL, "refillMeter", Intent.SUBMIT, "requestId", "meterId", "amountMinorUnits"),
    SUSPEND_METER(Contract.POSTAL, "suspendMeter", Intent.SUBMIT, "requestId", "meterId", "reason"),
    RESUME_METER(Contract.POSTAL, "resumeMeter", Intent.SUBMIT, "requestId", "meterId"),
    WITHDRAW_METER(Contract.POSTAL, "withdrawMeter", Intent.SUBMIT, "requestId", "meterId"),
    REPORT_PSD_FAILURE(Contract.POSTAL, "reportPsdFailure", Intent.SUBMIT, "requestId", "meterId", "reason"),
    REPLACE_PSD(Contract.POSTAL, "replacePsd", Intent.SUBMIT, "requestId", "failedMeterId", "replacementMeterId"),
    RECORD_INSPECTION(Contract.POSTAL, "recordInspection", Intent.SUBMIT, "requestId", "meterId"),
    SET_INSPECTION_PERIODS(Contract.POSTAL, "setInspectionPeriods", Intent.SUBMIT, "requestId", "dueAfterDays", "overdueAfterDays"),
    AUTHORISE_REQUESTER(Contract.POSTAL, "authoriseRequester", Intent.SUBMIT, "requestId", "donorMeterId", "requesterMeterId"),
    REVOKE_REQUESTER(Contract.POSTAL, "revokeRequester", Intent.SUBMIT, "requestId", "donorMeterId", "requesterMeterId"),
    FUND_ALLOTMENT(Contract.POSTAL, "fundAllotment", Intent.SUBMIT, "requestId", "distributorMeterId", "recipientMeterId", "amountMinorUnits"),
    RELEASE_ALLOTMENT(Contract.POSTAL, "releaseAllotment", Intent.SUBMIT, "requestId", "distributorMeterId", "recipientMeterId", "amountMinorUnits"),
    PRINT_POSTAGE(Contract.POSTAL, "printPostage", Intent.SUBMIT, "requestId", "indiciumJson"),
    REQUEST_TRANSFER(Contract.POSTAL, "requestTransfer", Intent.SUBMIT, "requestId", "recipientMeterId", "donorMeterId", "amountMinorUnits", "deadlineEpochSeconds"),
    GRANT_TRANSFER(Contract.POSTAL, "grantTransfer", Intent.SUBMIT, "requestId", "transferId", "escrowDeadlineEpochSeconds"),
    DENY_TRANSFER(Contract.POSTAL, "denyTransfer", Intent.SUBMIT, "requestId", "transferId", "reason"),
    ACCEPT_TRANSFER(Contract.POSTAL, "acceptTransfer", Intent.SUBMIT, "requestId", "transferId"),
    CANCEL_TRANSFER(Contract.POSTAL, "cancelTransfer", Intent.SUBMIT, "requestId", "transferId"),
    OFFER_TRANSFER(Contract.POSTAL, "offerTransfer", Intent.SUBMIT, "requestId", "donorMeterId", "recipientMeterId", "amountMinorUnits", "deadlineEpochSeconds"),
    ACKNOWLEDGE_TRANSFER(Contract.POSTAL, "acknowledgeTransfer", Intent.SUBMIT, "requestId", "transferId"),
    REJECT_TRANSFER(Contract.POSTAL, "rejectTransfer", Intent.SUBMIT, "requestId", "transferId", "reason"),
    EXPIRE_TRANSFER(Contract.POSTAL, "expireTransfer", Intent.SUBMIT, "requestId", "transferId"),
    RECORD_INDICIUM_SCAN(Contract.POSTAL, "recordIndiciumScan", Intent.SUBMIT, "requestId", "indiciumJson"),
    REQUEST_REFUND(Contract.POSTAL, "requestRefund", Intent.SUBMIT, "requestId", "meterId", "pieceNumber", "amountMinorUnits", "reason"),
    APPROVE_REFUND(Contract.POSTAL, "approveRefund", Intent.SUBMIT, "requestId", "meterId", "pieceNumber"),
    REJECT_REFUND(Contract.POSTAL, "rejectRefund", Intent.SUBMIT, "requestId", "meterId", "pieceNumber", "reason"),
    GET_CONSORTIUM(Contract.POSTAL, "getConsortium", Intent.EVALUATE),
    GET_METER(Contract.POSTAL, "getMeter", Intent.EVALUATE, "meterId"),
    GET_INSPECTION_PERIODS(Contract.POSTAL, "getInspectionPeriods", Intent.EVALUATE),
    GET_REPLACEMENT(Contract.POSTAL, "getReplacement", Intent.EVALUATE, "failedMeterId"),
    GET_TRANSFER(Contract.POSTAL, "getTransfer", Intent.EVALUATE, "transferId"),
    LIST_TRANSFERS(Contract.POSTAL, "listTransfers", Intent.EVALUATE, "meterId", "state", "pageSize", "bookmark"),
    LIST_AUTHORISED_REQUESTERS(Contract.POSTAL, "listAuthorisedRequesters", Intent.EVALUATE, "donorMeterId", "pageSize", "bookmark"),
    GET_ALLOTMENT(Contract.POSTAL, "getAllotment", Intent.EVALUATE, "distributorMeterId", "recipientMeterId"),
    GET_INDICIUM(Contract.POSTAL, "getIndicium", Intent.EVALUATE, "meterId", "pieceNumber"),
    VERIFY_INDICIUM(Contract.POSTAL, "verifyIndicium", Intent.EVALUATE, "indiciumJson"),
    GET_ACCOUNT_HISTORY(Contract.POSTAL, "getAccountHistory", Intent.EVALUATE, "accountId", "limit"),
    AUDIT_TOTALS(Contract.POSTAL, "auditTotals", Intent.EVALUATE),
    GET_REFUND(Contract.POSTAL, "getRefund", Intent.EVALUATE, "meterId", "pieceNumber"),
    LIST_REFUNDS(Contract.POSTAL, "listRefunds", Intent.EVALUATE, "meterId", "state", "pageSize", "bookmark"),
    // ---- secure information between meters ------------------------------------------------------
    REQUEST_INFORMATION(Contract.SECURE_INFORMATION, "requestInformation", Intent.SUBMIT, "requestId", "recipientMeterId", "senderMeterId", "itemName", "deadlineEpochSeconds"),
    GRANT_INFORMATION(Contract.SECURE_INFORMATION, "grantInformation", Intent.SUBMIT, "requestId", "transferId", "deliveryDeadlineEpochSeconds"),
    DENY_INFORMATION(Contract.SECURE_INFORMATION, "denyInformation", Intent.SUBMIT, "requestId", "transferId", "reason"),
    ACCEPT_INFORMATION(Contract.SECURE_INFORMATION, "acceptInformation", Intent.SUBMIT, "requestId", "transferId"),
    CANCEL_INFORMATION(Contract.SECURE_INFORMATION, "cancelInformation", Intent.SUBMIT, "requestId", "transferId"),
    OFFER_INFORMATION(Contract.SECURE_INFORMATION, "offerInformation", Intent.SUBMIT, "requestId", "senderMeterId", "recipientMeterId", "itemName", "deadlineEpochSeconds"),
    DOWNLOAD_INFORMATION(Contract.SECURE_INFORMATION, "downloadInformation", Intent.SUBMIT, "requestId", "recipientMeterId", "itemName", "deadlineEpochSeconds"),
    ACKNOWLEDGE_INFORMATION(Contract.SECURE_INFORMATION, "acknowledgeInformation", Intent.SUBMIT, "requestId", "transferId"),
    REJECT_INFORMATION(Contract.SECURE_INFORMATION, "rejectInformation", Intent.SUBMIT, "requestId", "transferId", "reason"),
    EXPIRE_INFORMATION(Contract.SECURE_INFORMATION, "expireInformation", Intent.SUBMIT, "requestId", "transferId"),
    GET_INFORMATION_TRANSFER(Contract.SECURE_INFORMATION, "getInformationTransfer", Intent.EVALUATE, "transferId"),
    GET_INFORMATION_PACKAGE(Contract.SECURE_INFORMATION, "getInformationPackage", Intent.EVALUATE, "transferId"),
    GET_METER_CERTIFICATE(Contract.SECURE_INFORMATION, "getMeterCertificate", Intent.EVALUATE, "meterId");

    /** The contracts of the chaincode, by the names Fabric routes on ("Name:function"; the default needs none). */
    public enum Contract {
        POSTAL("PostalLedgerContract", true),
        SECURE_INFORMATION("SecureInformation", false);

        private final String contractName;
        private final boolean isDefault;

        Contract(final String contractName, final boolean isDefault) {
            this.contractName = contractName;
            this.isDefault = isDefault;
        }

        /** The name in the contract's {@code @Contract} annotation. */
        public String contractName() {
            return contractName;
        }

        public boolean isDefault() {
            return isDefault;
        }
    }

    /** SUBMIT: endorsed, ordered and committed; EVALUATE: a query, never ordered. */
    public enum Intent {
        SUBMIT,
        EVALUATE
    }

    private final Contract contract;
    private final String methodName;
    private final Intent intent;
    private final List<String> parameters;

    LedgerFunction(final Contract contract, final String methodName, final Intent intent, final String... parameters) {
        this.contract = contract;
        this.methodName = methodName;
        this.intent = intent;
        this.parameters = List.of(parameters);
    }

    public Contract contract() {
        return contract;
    }

    /** The contract's Java method, and the function's name within its contract. */
    public String methodName() {
        return methodName;
    }

    @Override
    public String functionName() {
        return contract.isDefault() ? methodName : contract.contractName() + ":" + methodName;
    }

    @Override
    public Intent intent() {
        return intent;
    }

    @Override
    public List<String> parameters() {
        return parameters;
    }

    /** The function a client names this way ({@link #functionName()}), if the contract has it. */
    public static Optional<LedgerFunction> named(final String functionName) {
        for (final LedgerFunction function : values()) {
            if (function.functionName().equals(functionName)) {
                return Optional.of(function);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return functionName();
    }
}
