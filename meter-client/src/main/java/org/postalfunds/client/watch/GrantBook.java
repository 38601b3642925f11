package org.postalfunds.client.watch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.postalfunds.client.model.Json;

/**
 * What a distributor's watcher has granted per day, kept in a small file beside its checkpoint so a
 * restarted watcher applies the same daily limits. Grants are keyed by transfer id, so recording the
 * same grant twice (a watcher re-handling an event after a crash) counts it once.
 */
public final class GrantBook {
    /** Days before the newest one that are kept; older days can no longer be asked about. */
    static final int DAYS_KEPT = 2;
    /** Bound on the file: a distributor granting more per two days than this is beyond this watcher. */
    public static final int MAX_GRANTS = 100_000;

    /**
     * One grant the watcher made.
     *
     * @param day ISO date (UTC) of the request's transaction timestamp
     */
    public record Grant(String transferId, String recipientMeterId, long amountMinorUnits, String day) {
        public Grant {
            Objects.requireNonNull(transferId, "transferId");
            Objects.requireNonNull(recipientMeterId, "recipientMeterId");
            LocalDate.parse(Objects.requireNonNull(day, "day"));
            if (amountMinorUnits <= 0) {
                throw new IllegalArgumentException("a grant moves a positive amount");
            }
        }

        public Grant(final String transferId, final String recipientMeterId, final long amountMinorUnits,
                final LocalDate day) {
            this(transferId, recipientMeterId, amountMinorUnits, day.toString());
        }

        public LocalDate date() {
            return LocalDate.parse(day);
        }
    }

    private final Path file;
    private final Map<String, Grant> grants = new LinkedHashMap<>();

    private GrantBook(final Path file) {
        this.file = file;
    }

    /** Loads the book from {@code file}, or starts an empty one if the file does not exist. */
    public static GrantBook open(final Path file) throws IOException {
        GrantBook book = new GrantBook(file);
        if (Files.exists(file)) {
            String json = Files.readString(file, StandardCharsets.UTF_8);
            List<Grant> saved = readGrants(json, file);
            for (Grant grant : saved) {
                book.grants.put(grant.transferId(), grant);
            }
        }
        return book;
    }

    private static List<Grant> readGrants(final String json, final Path file) {
        try {
            return Json.strict(json, GrantsFile.class, "grant book " + file).grants();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; move it aside only if you accept that today's "
                    + "limits restart from zero", e);
        }
    }

    record GrantsFile(List<Grant> grants) {
        GrantsFile {
            grants = grants == null ? List.of() : List.copyOf(grants);
        }
    }

    public Optional<Grant> grant(final String transferId) {
        return Optional.ofNullable(grants.get(transferId));
    }

    public long grantedOn(final LocalDate day) {
        return grants.values().stream().filter(g -> g.date().equals(day)).mapToLong(Grant::amountMinorUnits)
                .reduce(0, Math::addExact);
    }

    public long grantedOn(final LocalDate day, final String recipientMeterId) {
        return grants.values().stream().filter(g -> g.date().equals(day) && g.recipientMeterId().equals(recipientMeterId))
                .mapToLong(Grant::amountMinorUnits).reduce(0, Math::addExact);
    }

    /** Records a grant (once per transfer), forgets days too old to matter, and saves the file atomically. */
    public void record(final Grant grant) throws IOException {
        if (grants.containsKey(grant.transferId())) {
            return;
        }
        grants.put(grant.transferId(), grant);
        LocalDate newest = grants.values().stream().map(Grant::date).max(LocalDate::compareTo).orElseThrow();
        grants.values().removeIf(g -> g.date().isBefore(newest.minusDays(DAYS_KEPT - 1L)));
        if (grants.size() > MAX_GRANTS) {
            throw new IllegalStateException("more than " + MAX_GRANTS + " grants in " + DAYS_KEPT + " days");
        }
        save();
    }

    private void save() throws IOException {
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, Json.pretty(new GrantsFile(new ArrayList<>(grants.values()))),
                    StandardCharsets.UTF_8);
            // Readers see the old book or the new one, never half of one.
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
