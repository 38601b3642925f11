package org.postalfunds.client.ledger;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postalfunds.api.ChaincodeFunction;
import org.postalfunds.api.Ids;
import org.postalfunds.api.LedgerFunction;

/**
 * One chaincode invocation: a {@link LedgerFunction} of the contract (or another {@link ChaincodeFunction}, e.g. the
 * benchmark's baseline), string arguments, optional transient data (kept off the ledger) and, for submits, the
 * client-chosen request id that makes retries safe. A submit function cannot be made a query nor a query a transaction.
 */
public final class LedgerCall {
    /** Bounds what one call may carry, so a bad caller cannot send megabytes through the gateway. */
    public static final int MAX_ARGUMENTS = 32;
    public static final int MAX_ARGUMENT_CHARS = 64 * 1024;

    private final String function;
    private final List<String> arguments;
    private final Map<String, byte[]> transientData;
    private final String requestId;
    private final Set<String> endorsingOrganizations;

    private LedgerCall(final String function, final List<String> arguments, final Map<String, byte[]> transientData,
            final String requestId, final Set<String> endorsingOrganizations) {
        this.function = function;
        this.arguments = arguments;
        this.transientData = transientData;
        this.requestId = requestId;
        this.endorsingOrganizations = endorsingOrganizations;
    }

    /** A query: evaluated on one peer, never ordered. */
    public static LedgerCall query(final ChaincodeFunction function, final String... arguments) {
        return new LedgerCall(checkIntent(function, LedgerFunction.Intent.EVALUATE).functionName(),
                checkArguments(function, arguments), Map.of(), null, Set.of());
    }

    /**
     * A query of one of the peer's system chaincodes (e.g. qscc's {@code GetChainInfo}), not of this contract: only so
     * that retries and failures name it like any other call.
     */
    static LedgerCall systemQuery(final String function, final String... arguments) {
        return new LedgerCall(checkFunction(function), checkArguments(null, arguments), Map.of(), null, Set.of());
    }

    /**
     * A transaction. {@code requestId} must be the first chaincode argument as well: the chaincode keys
     * idempotency on it, and this class keeps it at hand for error reports.
     */
    public static LedgerCall transaction(final ChaincodeFunction function, final String requestId, final String... arguments) {
        Objects.requireNonNull(requestId, "requestId");
        String[] withId = new String[arguments.length + 1];
        withId[0] = requestId;
        System.arraycopy(arguments, 0, withId, 1, arguments.length);
        return new LedgerCall(checkIntent(function, LedgerFunction.Intent.SUBMIT).functionName(),
                checkArguments(function, withId), Map.of(), requestId, Set.of());
    }

    /** The same call with transient data (e.g. a sealed payload for a private data collection). */
    public LedgerCall withTransient(final Map<String, byte[]> data) {
        Map<String, byte[]> copy = new TreeMap<>();
        data.forEach((k, v) -> copy.put(Objects.requireNonNull(k), v.clone()));
        return new LedgerCall(function, arguments, Map.copyOf(copy), requestId, endorsingOrganizations);
    }

    /**
     * The same call endorsed by peers of exactly these organisations (MSP ids) instead of the ones the gateway
     * would pick from the endorsement policies; for a query, evaluated on a peer of one of them. The caller takes
     * responsibility for the choice: a set that does not satisfy the chaincode's or a key's policy is invalidated at
     * commit ({@code ENDORSEMENT_POLICY_FAILURE}). Meant for operations and tests (which peer holds what, which
     * organisations a key needs), not for everyday calls.
     */
    public LedgerCall withEndorsingOrganizations(final String... mspIds) {
        Set<String> orgs = new TreeSet<>();
        for (String msp : mspIds) {
            if (!Ids.isMspId(Objects.requireNonNull(msp, "mspId"))) {
                throw new IllegalArgumentException("not an MSP id: '" + msp + "'");
            }
            orgs.add(msp);
        }
        return new LedgerCall(function, arguments, transientData, requestId, Collections.unmodifiableSet(orgs));
    }

    /** The organisations whose peers must endorse (or evaluate) this call; empty: the gateway chooses. */
    public Set<String> endorsingOrganizations() {
        return endorsingOrganizations;
    }

    public String function() {
        return function;
    }

    public List<String> arguments() {
        return arguments;
    }

    public Map<String, byte[]> transientData() {
        Map<String, byte[]> copy = new TreeMap<>();
        transientData.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    private static String checkFunction(final String function) {
        Objects.requireNonNull(function, "function");
        if (!function.matches("[A-Za-z][A-Za-z0-9_:]{0,63}")) {
            throw new IllegalArgumentException("not a chaincode function name: '" + function + "'");
        }
        return function;
    }

    private static ChaincodeFunction checkIntent(final ChaincodeFunction function, final LedgerFunction.Intent intent) {
        Objects.requireNonNull(function, "function");
        if (function.intent() != intent) {
            throw new IllegalArgumentException(function + " is a " + function.intent() + " function, not " + intent);
        }
        return function;
    }

    /** Bounded, and as many as the function's parameters (when it is one of the contract's). */
    private static List<String> checkArguments(final ChaincodeFunction function, final String[] arguments) {
        if (function != null && arguments.length != function.parameters().size()) {
            throw new IllegalArgumentException(function + " takes " + function.parameters().size() + " arguments "
                    + function.parameters() + ", got " + arguments.length);
        }
        if (arguments.length > MAX_ARGUMENTS) {
            throw new IllegalArgumentException("at most " + MAX_ARGUMENTS + " arguments, got " + arguments.length);
        }
        for (String argument : arguments) {
            Objects.requireNonNull(argument, "argument");
            if (argument.length() > MAX_ARGUMENT_CHARS) {
                throw new IllegalArgumentException("argument longer than " + MAX_ARGUMENT_CHARS + " characters");
            }
        }
        return List.copyOf(Arrays.asList(arguments));
    }

    @Override
    public String toString() {
        return function + arguments + (endorsingOrganizations.isEmpty() ? "" : " endorsed by " + endorsingOrganizations);
    }
}
