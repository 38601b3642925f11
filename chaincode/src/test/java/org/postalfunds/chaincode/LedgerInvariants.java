package org.postalfunds.chaincode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.postalfunds.chaincode.fake.FakeLedger;
import org.postalfunds.chaincode.state.Keys;

/**
 * The ledger's money invariants, checked straight from the committed bytes and independently of the contract's own
 * classes (which check them too, so a bug there could hide itself): all accounts sum to zero, no register or
 * allotment is negative, every control sum holds, and an escrow exists only while its transfer holds funds.
 */
public final class LedgerInvariants {
    private LedgerInvariants() {}

    /** Fails with an AssertionError naming the account when an invariant does not hold. */
    public static void check(final FakeLedger ledger) {
        long sum = 0;
        long refundedTotal = 0;
        long creditedTotal = 0;
        for (final Map.Entry<String, byte[]> entry : ledger.snapshot().entrySet()) {
            final List<String> account = attributesOf(entry.getKey(), Keys.ACCOUNT);
            if (account.isEmpty()) {
                continue;
            }
            final JsonNode value = LedgerFixture.json(new String(entry.getValue(), UTF_8));
            switch (account.get(0)) {
                case "METER" -> {
                    final long dr = nonNegative(value, "descendingRegisterMinorUnits", account);
                    final long ar = nonNegative(value, "ascendingRegisterMinorUnits", account);
                    final long out = nonNegative(value, "transferredOutMinorUnits", account);
                    final long in = nonNegative(value, "transferredInMinorUnits", account);
                    final long refilled = nonNegative(value, "refilledMinorUnits", account);
                    final long withdrawn = nonNegative(value, "withdrawnMinorUnits", account);
                    final long refunded = nonNegative(value, "refundedMinorUnits", account);
                    final long refundsCredited = nonNegative(value, "refundsCreditedMinorUnits", account);
                    nonNegative(value, "pieceCount", account);
                    assertThat(dr + ar + out + withdrawn).as("control sum of " + account)
                            .isEqualTo(refilled + in + refundsCredited);
                    assertThat(refunded).as("postage refunded by " + account + ", at most what it printed")
                            .isLessThanOrEqualTo(ar);
                    // METER(m) + ISSUED_FUNDS(m) + POSTAGE_REVENUE(m), all kept on the meter's account key.
                    sum += dr + (ar - refunded) + withdrawn - refilled;
                    refundedTotal += refunded;
                    creditedTotal += refundsCredited;
                }
                case "ALLOTMENT" -> {
                    final long available = nonNegative(value, "availableMinorUnits", account);
                    assertThat(available + nonNegative(value, "grantedMinorUnits", account)
                            + nonNegative(value, "releasedMinorUnits", account))
                            .as("control sum of " + account)
                            .isEqualTo(nonNegative(value, "fundedMinorUnits", account)
                                    + nonNegative(value, "returnedMinorUnits", account));
                    sum += available;
                }
                case "ESCROW" -> {
                    final long held = value.get("heldMinorUnits").asLong();
                    assertThat(held).as("an escrow key exists only while it holds funds: " + account).isPositive();
                    final JsonNode transfer = transfer(ledger, account.get(1));
                    assertThat(transfer.get("state").asText()).as("state of the transfer of " + account)
                            .isIn("GRANTED", "OFFERED");
                    assertThat(transfer.get("amountMinorUnits").asLong()).as("amount held by " + account)
                            .isEqualTo(held);
                    sum += held;
                }
                case "INFLOW" -> {
                    // Credits not yet folded into the meter's registers: its money, under a ceiling that must never
                    // be below the meter's whole balance (the accept's limit check trusts it).
                    final long pending = nonNegative(value, "pendingMinorUnits", account);
                    final long count = nonNegative(value, "pendingCount", account);
                    final long ceiling = nonNegative(value, "balanceCeilingMinorUnits", account);
                    assertThat(count == 0).as("pending count of " + account + " is zero exactly when nothing is pending")
                            .isEqualTo(pending == 0);
                    final JsonNode registers = LedgerFixture.json(new String(ledger.value(Keys.meterAccount(account.get(1)))
                            .orElseThrow(() -> new AssertionError("inflow without registers: " + account)), UTF_8));
                    assertThat(ceiling).as("balance ceiling of " + account + ", at least the whole balance")
                            .isGreaterThanOrEqualTo(registers.get("descendingRegisterMinorUnits").asLong() + pending);
                    sum += pending;
                }
                default -> throw new AssertionError("unknown account class " + account);
            }
        }
        assertThat(sum).as("sum over all accounts").isZero();
        assertThat(creditedTotal).as("refunds credited, against postage refunded").isEqualTo(refundedTotal);
    }

    /**
     * The secure-information invariants, from the committed bytes: a record holds its package exactly while GRANTED
     * or OFFERED, and then the collection's value hashes to the record's {@code packageSha256} and has its size;
     * otherwise (never sent, or delivered, returned or expired) the collection keeps nothing under the package key,
     * not even an earlier version (a purge, not a delete). No package lives in a collection without a record that
     * holds it.
     */
    public static void checkInformation(final FakeLedger ledger) {
        final java.util.Set<String> heldPackages = new java.util.HashSet<>();
        for (final Map.Entry<String, byte[]> entry : ledger.snapshot().entrySet()) {
            final List<String> record = attributesOf(entry.getKey(), "information");
            if (record.isEmpty()) {
                continue;
            }
            final JsonNode value = LedgerFixture.json(new String(entry.getValue(), UTF_8));
            final String transferId = value.path("transferId").asText();
            assertThat(transferId).as("id of information record " + record).isEqualTo(record.get(0));
            final String collection = value.path("collection").asText();
            final String packageKey = Keys.informationPackage(transferId);
            final String state = value.path("state").asText();
            final java.util.Optional<byte[]> stored = ledger.privateValue(collection, packageKey);
            if (value.path("packageHeld").asBoolean()) {
                assertThat(state).as("state of information transfer " + transferId + " holding a package")
                        .isIn("GRANTED", "OFFERED");
                assertThat(stored).as("package of " + transferId + " in " + collection + " while held").isPresent();
                assertThat(org.postalfunds.api.format.SealedPackage.sha256Hex(stored.get()))
                        .as("the held package of " + transferId + " hashes to its public record")
                        .isEqualTo(value.path("packageSha256").asText());
                assertThat((long) stored.get().length).as("size of the held package of " + transferId)
                        .isEqualTo(value.path("packageSizeBytes").asLong());
                heldPackages.add(collection + "\u0001" + packageKey);
            } else {
                assertThat(state).as("state of information transfer " + transferId + " without a package")
                        .isNotIn("GRANTED", "OFFERED");
                assertThat(stored).as("package of " + transferId + " (" + state + ") in " + collection).isEmpty();
                assertThat(ledger.privateHistory(collection, packageKey))
                        .as("earlier versions of the package of " + transferId + " (" + state + "): purged").isEmpty();
            }
        }
        for (final String collection : ledger.collectionNames()) {
            for (final String key : ledger.privateKeys(collection)) {
                assertThat(heldPackages).as("private value " + LedgerFixture.printable(key) + " in " + collection
                        + " belongs to a record that holds it").contains(collection + "\u0001" + key);
            }
        }
    }

    /** Transfer ids whose escrow account exists (holds funds). */
    public static List<String> escrowedTransfers(final FakeLedger ledger) {
        final List<String> transfers = new ArrayList<>();
        for (final String key : ledger.snapshot().keySet()) {
            final List<String> account = attributesOf(key, Keys.ACCOUNT);
            if (!account.isEmpty() && account.get(0).equals("ESCROW")) {
                transfers.add(account.get(1));
            }
        }
        return transfers;
    }

    /** The committed information transfer record, as JSON. */
    public static JsonNode information(final FakeLedger ledger, final String transferId) {
        final byte[] stored = ledger.value(Keys.information(transferId))
                .orElseThrow(() -> new AssertionError("no information record " + transferId));
        return LedgerFixture.json(new String(stored, UTF_8));
    }

    /** The committed transfer record, as JSON. */
    public static JsonNode transfer(final FakeLedger ledger, final String transferId) {
        final byte[] stored = ledger.value(Keys.transfer(transferId))
                .orElseThrow(() -> new AssertionError("no transfer record " + transferId));
        return LedgerFixture.json(new String(stored, UTF_8));
    }

    private static long nonNegative(final JsonNode value, final String field, final List<String> account) {
        final JsonNode node = value.get(field);
        assertThat(node).as(field + " of " + account).isNotNull();
        final long number = node.asLong();
        assertThat(number).as(field + " of " + account).isNotNegative();
        return number;
    }

    private static List<String> attributesOf(final String key, final String objectType) {
        // A cheap prefix test first (NAMESPACE is also the delimiter): parsing every committed key was most of the
        // fuzzer's time per call.
        if (!key.startsWith(CompositeKey.NAMESPACE + objectType + CompositeKey.NAMESPACE)) {
            return List.of();
        }
        final CompositeKey parsed = CompositeKey.parseCompositeKey(key);
        return parsed.getObjectType().equals(objectType) ? parsed.getAttributes() : List.of();
    }
}
