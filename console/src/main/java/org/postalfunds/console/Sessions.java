package org.postalfunds.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Server-side sessions: a 256-bit random id (the cookie holds nothing else), the user, a CSRF token for the
 * session's forms, and an idle timeout. Login failures are counted per user name; after
 * {@link #MAX_FAILURES} in a row the name is locked for {@link #LOCKOUT}.
 */
public final class Sessions {
    public static final int MAX_FAILURES = 5;
    public static final Duration LOCKOUT = Duration.ofMinutes(5);
    public static final int MAX_SESSIONS = 10_000;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One logged-in user. */
    public static final class Session {
        private final String id;
        private final UserStore.User user;
        private final String csrfToken;
        private volatile Instant lastSeen;

        Session(final String id, final UserStore.User user, final String csrfToken, final Instant now) {
            this.id = id;
            this.user = user;
            this.csrfToken = csrfToken;
            this.lastSeen = now;
        }

        public String id() {
            return id;
        }

        public UserStore.User user() {
            return user;
        }

        public String csrfToken() {
            return csrfToken;
        }
    }

    /** Why a presented cookie did not lead to a session. */
    public enum Refusal {
        MALFORMED,
        UNKNOWN,
        EXPIRED
    }

    /** A session, or why there is none. */
    public record Lookup(Session session, Refusal refusal) {
    }

    private record Failures(int count, Instant lockedUntil) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final Clock clock;

    public Sessions(final Duration idleTimeout, final Clock clock) {
        this.idleTimeout = idleTimeout;
        this.clock = clock;
    }

    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public Session open(final UserStore.User user) {
        purgeExpired();
        if (sessions.size() >= MAX_SESSIONS) {
            throw new HttpProblem(503, "Too many sessions", "the console holds too many sessions; try again later");
        }
        Session session = new Session(randomToken(), user, randomToken(), clock.instant());
        sessions.put(session.id(), session);
        return session;
    }

    public Lookup find(final String cookie) {
        if (cookie == null || !ID.matcher(cookie).matches()) {
            return new Lookup(null, Refusal.MALFORMED);
        }
        Session session = sessions.get(cookie);
        if (session == null) {
            return new Lookup(null, Refusal.UNKNOWN);
        }
        Instant now = clock.instant();
        if (session.lastSeen.plus(idleTimeout).isBefore(now)) {
            sessions.remove(cookie);
            return new Lookup(null, Refusal.EXPIRED);
        }
        session.lastSeen = now;
        return new Lookup(session, null);
    }

    public void close(final Session session) {
        sessions.remove(session.id());
    }

    /** Empty when the name may try to log in; else until when it is locked. */
    public Optional<Instant> lockedUntil(final String user) {
        Failures record = failures.get(user);
        if (record == null || record.lockedUntil() == null) {
            return Optional.empty();
        }
        if (record.lockedUntil().isBefore(clock.instant())) {
            failures.remove(user);
            return Optional.empty();
        }
        return Optional.of(record.lockedUntil());
    }

    public void loginFailed(final String user) {
        if (failures.size() > MAX_SESSIONS && !failures.containsKey(user)) {
            failures.clear(); // bounded memory: names never seen before cannot fill it
        }
        failures.compute(user, (name, record) -> {
            int count = record == null ? 1 : record.count() + 1;
            return new Failures(count, count >= MAX_FAILURES ? clock.instant().plus(LOCKOUT) : null);
        });
    }

    public void loginSucceeded(final String user) {
        failures.remove(user);
    }

    private void purgeExpired() {
        Instant cutoff = clock.instant().minus(idleTimeout);
        sessions.values().removeIf(session -> session.lastSeen.isBefore(cutoff));
    }
}
