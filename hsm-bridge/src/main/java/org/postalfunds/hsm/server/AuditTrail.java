package org.postalfunds.hsm.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.grpc.Status;
import org.postalfunds.hsm.MeterIds;

/**
 * The bridge's audit trail: one line per key operation and per refused request, through a dedicated
 * java.util.logging logger ({@code org.postalfunds.hsm.audit.<token label>}) and, when configured, only to its
 * own append-only file:
 *
 * <pre>
 * 2026-01-01T10:00:00.123Z op=SignDigest meter=meter-0001 digest=9f86d081 caller="CN=meter-0001,OU=client,O=Org1" outcome=OK
 * </pre>
 *
 * <p>Never contains key material, PINs or whole digests (the first 4 bytes identify a request in the
 * ledger's records without making the trail a signing oracle log). Rotate with copytruncate.
 */
final class AuditTrail implements AutoCloseable {
    static final String LOGGER_PREFIX = "org.postalfunds.hsm.audit";
    /** Bytes of a digest written to the trail (8 hex characters). */
    static final int DIGEST_PREFIX_BYTES = 4;

    private final Logger logger;
    private final AuditFileHandler fileHandler;

    private AuditTrail(final Logger logger, final AuditFileHandler fileHandler) {
        this.logger = logger;
        this.fileHandler = fileHandler;
    }

    static AuditTrail open(final String tokenLabel, final Optional<Path> file) throws IOException {
        final Logger logger = Logger.getLogger(LOGGER_PREFIX + "." + tokenLabel.replaceAll("[^A-Za-z0-9_-]", "_"));
        logger.setLevel(Level.INFO);
        if (file.isEmpty()) {
            return new AuditTrail(logger, null);
        }
        final Path path = file.get().toAbsolutePath();
        Files.createDirectories(path.getParent());
        // No rotation by the handler (limit 0, one file): the file name stays what the operator configured.
        final AuditFileHandler handler = new AuditFileHandler(path.toString().replace("%", "%%"));
        handler.setFormatter(new LineFormatter());
        handler.setLevel(Level.INFO);
        logger.addHandler(handler);
        // The trail goes to its own file only, not into the general log as well.
        logger.setUseParentHandlers(false);
        return new AuditTrail(logger, handler);
    }

    /**
     * @param digest the digest of a signing request, or null for other operations
     */
    void record(final String operation, final String meterId, final byte[] digest, final String callerSubject,
            final Status status) {
        logger.log(logRecord(operation, meterId, digest, callerSubject, status));
    }

    /**
     * One record per digest of a batch request, each with its own outcome, in order. The lines are written
     * together and flushed to the file once, before this returns (and so before the response leaves), instead
     * of once per line: nothing is dropped or deferred, the flush is shared.
     *
     * @param statuses the outcome of each digest, as many as digests
     */
    void recordDigests(final String operation, final String meterId, final List<byte[]> digests,
            final String callerSubject, final List<Status> statuses) {
        if (digests.size() != statuses.size()) {
            throw new IllegalArgumentException(digests.size() + " digests but " + statuses.size() + " outcomes");
        }
        final LogRecord[] records = new LogRecord[digests.size()];
        for (int i = 0; i < records.length; i++) {
            records[i] = logRecord(operation, meterId, digests.get(i), callerSubject, statuses.get(i));
        }
        if (fileHandler == null) {
            for (final LogRecord record : records) {
                logger.log(record);
            }
        } else {
            fileHandler.publishTogether(logger, records);
        }
    }

    private LogRecord logRecord(final String operation, final String meterId, final byte[] digest,
            final String callerSubject, final Status status) {
        final StringBuilder line = new StringBuilder(192).append("op=").append(operation);
        if (meterId != null && !meterId.isEmpty()) {
            line.append(" meter=").append(MeterIds.printable(meterId).replace(' ', '_'));
        }
        if (digest != null) {
            line.append(" digest=").append(HexFormat.of().formatHex(digest, 0, Math.min(digest.length, DIGEST_PREFIX_BYTES)));
        }
        line.append(" caller=\"").append(quoted(callerSubject)).append('"');
        line.append(" outcome=").append(status.getCode().name());
        if (!status.isOk() && status.getDescription() != null) {
            line.append(" detail=\"").append(quoted(status.getDescription())).append('"');
        }
        final LogRecord record = new LogRecord(status.isOk() ? Level.INFO : Level.WARNING, line.toString());
        record.setLoggerName(logger.getName());
        return record;
    }

    @Override
    public void close() {
        if (fileHandler != null) {
            logger.removeHandler(fileHandler);
            logger.setUseParentHandlers(true);
            fileHandler.close();
        }
    }

    private static String quoted(final String text) {
        if (text == null) {
            return "";
        }
        final String printable = text.length() > 512 ? text.substring(0, 512) + "..." : text;
        return printable.replace("\\", "\\\\").replace("\"", "\\\"").replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * The audit file: a {@link FileHandler} (append, no rotation, lock file against a second writer) that
     * flushes after every record, except inside {@link #publishTogether}, which flushes once after a group.
     */
    private static final class AuditFileHandler extends FileHandler {
        /** Guarded by this handler's monitor (FileHandler and StreamHandler synchronise on it too). */
        private boolean holdingFlush;

        AuditFileHandler(final String pattern) throws IOException {
            super(pattern, 0, 1, true);
        }

        @Override
        public synchronized void flush() {
            if (!holdingFlush) {
                super.flush();
            }
        }

        /** Logs the records through the logger while holding this handler, then flushes once. */
        synchronized void publishTogether(final Logger logger, final LogRecord[] records) {
            holdingFlush = true;
            try {
                for (final LogRecord record : records) {
                    logger.log(record);
                }
            } finally {
                holdingFlush = false;
                super.flush();
            }
        }
    }

    /** time + message, one line per record. */
    private static final class LineFormatter extends Formatter {
        @Override
        public String format(final LogRecord record) {
            final Instant time = record.getInstant();
            return time + " " + record.getMessage() + System.lineSeparator();
        }
    }
}
