package org.postalfunds.client.watch;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postalfunds.client.Money;
import org.postalfunds.client.model.Json;

/**
 * What a watching meter does on its own. As a distributor (Fig. 4) it grants requests from listed
 * recipients within a per-request and a per-day limit per recipient and a per-day limit overall; as a
 * recipient it accepts grants and acknowledges offers from listed donors. Read from a small JSON file,
 * amounts in currency units:
 *
 * <pre>
 * {
 *   "meterId": "meter-B1",
 *   "distributor": {
 *     "recipients": [ {"meterId": "meter-A1", "maxPerRequest": "50.00", "maxPerDay": "120.00"} ],
 *     "maxPerDay": "500.00",
 *     "escrowHours": 72,
 *     "denyOverLimit": false
 *   },
 *   "recipient": { "donors": ["meter-C1"] }
 * }
 * </pre>
 *
 * Days are UTC days of the request's transaction timestamp, never the watcher's clock.
 */
public final class WatchPolicy {
    public static final int MAX_LISTED_METERS = 1_000;
    /** The contract holds escrow for at most 30 days. */
    public static final long MAX_ESCROW_HOURS = 30L * 24;
    public static final int MAX_POLICY_CHARS = 256 * 1024;

    /** Limits for one listed recipient, in minor units. */
    public record RecipientLimits(long maxPerRequestMinorUnits, long maxPerDayMinorUnits) {
        public RecipientLimits {
            if (maxPerRequestMinorUnits <= 0 || maxPerDayMinorUnits <= 0) {
                throw new IllegalArgumentException("recipient limits must be greater than zero");
            }
        }
    }

    /** The distributor half of a policy. */
    public record Distributor(SortedMap<String, RecipientLimits> recipients, long maxPerDayMinorUnits,
            Duration escrowWindow, boolean denyOverLimit) {
        public Distributor {
            recipients = Collections.unmodifiableSortedMap(new TreeMap<>(recipients));
            if (maxPerDayMinorUnits <= 0) {
                throw new IllegalArgumentException("the distributor's maxPerDay must be greater than zero");
            }
            if (escrowWindow.isNegative() || escrowWindow.isZero() || escrowWindow.toHours() > MAX_ESCROW_HOURS) {
                throw new IllegalArgumentException("escrowHours must be 1.." + MAX_ESCROW_HOURS);
            }
        }
    }

    /** The recipient half of a policy. */
    public record Recipient(Set<String> donors) {
        public Recipient {
            donors = Collections.unmodifiableSortedSet(new TreeSet<>(donors));
        }
    }

    private final String meterId;
    private final Distributor distributor;
    private final Recipient recipient;

    public WatchPolicy(final String meterId, final Distributor distributor, final Recipient recipient) {
        this.meterId = Objects.requireNonNull(meterId, "meterId");
        this.distributor = distributor;
        this.recipient = recipient;
        if (distributor == null && recipient == null) {
            throw new IllegalArgumentException("a watch policy needs a 'distributor' part, a 'recipient' part or both");
        }
    }

    public String meterId() {
        return meterId;
    }

    public Optional<Distributor> distributor() {
        return Optional.ofNullable(distributor);
    }

    public Optional<Recipient> recipient() {
        return Optional.ofNullable(recipient);
    }

    // ---- the file ------------------------------------------------------------------------------------------------

    record RecipientEntry(String meterId, String maxPerRequest, String maxPerDay) {
    }

    record DistributorFile(List<RecipientEntry> recipients, String maxPerDay, Long escrowHours, Boolean denyOverLimit) {
    }

    record RecipientFile(List<String> donors) {
    }

    record PolicyFile(String meterId, DistributorFile distributor, RecipientFile recipient) {
    }

    /**
     * Parses a policy file; amounts are currency units in {@code money}'s precision.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    public static WatchPolicy parse(final String json, final Money money) {
        if (json.length() > MAX_POLICY_CHARS) {
            throw new IllegalArgumentException("the policy is longer than " + MAX_POLICY_CHARS + " characters");
        }
        PolicyFile file = Json.strict(json, PolicyFile.class, "watch policy");
        if (file.meterId() == null || file.meterId().isBlank()) {
            throw new IllegalArgumentException("watch policy: 'meterId' names the meter it is for, and is required");
        }
        Distributor distributor = null;
        if (file.distributor() != null) {
            DistributorFile d = file.distributor();
            List<RecipientEntry> entries = d.recipients() == null ? List.of() : d.recipients();
            if (entries.isEmpty() || entries.size() > MAX_LISTED_METERS) {
                throw new IllegalArgumentException("watch policy: distributor.recipients must list 1.."
                        + MAX_LISTED_METERS + " meters");
            }
            Map<String, RecipientLimits> limits = new TreeMap<>();
            for (RecipientEntry entry : entries) {
                if (entry.meterId() == null || entry.maxPerRequest() == null || entry.maxPerDay() == null) {
                    throw new IllegalArgumentException("watch policy: every recipient needs meterId, maxPerRequest and maxPerDay");
                }
                String where = "watch policy: recipient " + entry.meterId() + ": ";
                RecipientLimits previous = limits.put(entry.meterId(), new RecipientLimits(
                        amount(money, entry.maxPerRequest(), where + "maxPerRequest"),
                        amount(money, entry.maxPerDay(), where + "maxPerDay")));
                if (previous != null) {
                    throw new IllegalArgumentException(where + "listed twice");
                }
            }
            if (d.maxPerDay() == null) {
                throw new IllegalArgumentException("watch policy: distributor.maxPerDay is required");
            }
            long escrowHours = d.escrowHours() == null ? 72 : d.escrowHours();
            if (escrowHours < 1 || escrowHours > MAX_ESCROW_HOURS) {
                throw new IllegalArgumentException("watch policy: distributor.escrowHours must be 1.." + MAX_ESCROW_HOURS);
            }
            distributor = new Distributor(new TreeMap<>(limits), amount(money, d.maxPerDay(), "watch policy: distributor.maxPerDay"),
                    Duration.ofHours(escrowHours), Boolean.TRUE.equals(d.denyOverLimit()));
        }
        Recipient recipient = null;
        if (file.recipient() != null) {
            List<String> donors = file.recipient().donors() == null ? List.of() : file.recipient().donors();
            if (donors.isEmpty() || donors.size() > MAX_LISTED_METERS) {
                throw new IllegalArgumentException("watch policy: recipient.donors must list 1.." + MAX_LISTED_METERS + " meters");
            }
            recipient = new Recipient(new TreeSet<>(donors));
        }
        return new WatchPolicy(file.meterId(), distributor, recipient);
    }

    private static long amount(final Money money, final String text, final String where) {
        try {
            return money.parsePositive(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }
}
