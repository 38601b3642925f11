package org.postalfunds.chaincode;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hyperledger.fabric.contract.annotation.Transaction;

/**
 * Every {@code @Transaction} of the chaincode's two contracts, {@link PostalLedgerContract} (funds) and
 * {@link SecureInformationContract} (secure information), for the tests that must cover all of them (the fuzzer, the
 * funds authorisation matrix). Those tests compare {@link #functionNames()} with {@link #contractFunctions()} (all of
 * one contract, or of both), so a transaction added to a contract but not here fails them. Function names are unique
 * across the two contracts; {@link #contract()} says which one declares an entry point.
 */
public enum EntryPoint {
    REGISTER_METER, REFILL_METER, SUSPEND_METER, RESUME_METER, WITHDRAW_METER, RECORD_INSPECTION,
    SET_INSPECTION_PERIODS, AUTHORISE_REQUESTER, REVOKE_REQUESTER, FUND_ALLOTMENT, RELEASE_ALLOTMENT, PRINT_POSTAGE,
    REQUEST_TRANSFER, GRANT_TRANSFER, DENY_TRANSFER, ACCEPT_TRANSFER, CANCEL_TRANSFER, OFFER_TRANSFER,
    ACKNOWLEDGE_TRANSFER, REJECT_TRANSFER, EXPIRE_TRANSFER, RECORD_INDICIUM_SCAN, GET_METER, GET_INSPECTION_PERIODS,
    GET_TRANSFER, LIST_TRANSFERS, LIST_AUTHORISED_REQUESTERS, GET_ALLOTMENT, GET_INDICIUM, VERIFY_INDICIUM,
    GET_ACCOUNT_HISTORY, AUDIT_TOTALS,
    // SecureInformationContract ("SecureInformation:<name>")
    REQUEST_INFORMATION, GRANT_INFORMATION, DENY_INFORMATION, ACCEPT_INFORMATION, CANCEL_INFORMATION,
    OFFER_INFORMATION, DOWNLOAD_INFORMATION, ACKNOWLEDGE_INFORMATION, REJECT_INFORMATION, EXPIRE_INFORMATION,
    GET_INFORMATION_TRANSFER, GET_INFORMATION_PACKAGE, GET_METER_CERTIFICATE,
    // PostalLedgerContract's consortium record (appended: the fuzzer's seeds pick entry points by index)
    INIT_CONSORTIUM, ADMIT_METER_OWNER, GET_CONSORTIUM,
    // refunds of spoiled indicia (appended, as above)
    REQUEST_REFUND, APPROVE_REFUND, REJECT_REFUND, GET_REFUND, LIST_REFUNDS,
    // a failed PSD's revocation and replacement (appended, as above)
    REPORT_PSD_FAILURE, REPLACE_PSD, GET_REPLACEMENT;

    /** The two contracts of the chaincode. */
    public static final List<Class<?>> CONTRACTS = List.of(PostalLedgerContract.class, SecureInformationContract.class);

    /** The contract method's name: REGISTER_METER is registerMeter. */
    public String functionName() {
        final StringBuilder name = new StringBuilder();
        for (final String word : name().toLowerCase(java.util.Locale.ROOT).split("_")) {
            name.append(name.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return name.toString();
    }

    /** SUBMIT transactions write (and are ordered); EVALUATE ones only read. Taken from the annotation itself. */
    public boolean submits() {
        return method().getAnnotation(Transaction.class).intent() == Transaction.TYPE.SUBMIT;
    }

    /** The name a peer routes by: the default contract's functions plainly, the other contract's with its name. */
    public String routedName() {
        final var contract = contract().getAnnotation(org.hyperledger.fabric.contract.annotation.Contract.class);
        return contract() == PostalLedgerContract.class ? functionName() : contract.name() + ":" + functionName();
    }

    /** The argument types after the context: all String, so the shim converts nothing (the contract parses). */
    public List<Class<?>> argumentTypes() {
        final Class<?>[] types = method().getParameterTypes();
        return List.of(types).subList(1, types.length);
    }

    public static EntryPoint ofFunction(final String functionName) {
        return Arrays.stream(values()).filter(entry -> entry.functionName().equals(functionName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no entry point " + functionName));
    }

    /** The contract class that declares this entry point's {@code @Transaction}. */
    public Class<?> contract() {
        return method().getDeclaringClass();
    }

    /** The entry points of one contract, in declaration order. */
    public static List<EntryPoint> of(final Class<?> contract) {
        return Arrays.stream(values()).filter(entry -> entry.contract() == contract).toList();
    }

    /** The names of both contracts' {@code @Transaction} methods, from reflection. */
    public static Set<String> contractFunctions() {
        final Set<String> names = new TreeSet<>();
        CONTRACTS.forEach(contract -> names.addAll(contractFunctions(contract)));
        return names;
    }

    /** The names of one contract's {@code @Transaction} methods, from reflection. */
    public static Set<String> contractFunctions(final Class<?> contract) {
        return Arrays.stream(contract.getDeclaredMethods())
                .filter(method -> method.isAnnotationPresent(Transaction.class)).map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    public static Set<String> functionNames() {
        return Arrays.stream(values()).map(EntryPoint::functionName).collect(Collectors.toCollection(TreeSet::new));
    }

    private Method method() {
        return CONTRACTS.stream().flatMap(contract -> Arrays.stream(contract.getDeclaredMethods()))
                .filter(method -> method.getName().equals(functionName())
                        && method.isAnnotationPresent(Transaction.class))
                .findFirst().orElseThrow(() -> new IllegalStateException("no contract has " + functionName()));
    }
}
