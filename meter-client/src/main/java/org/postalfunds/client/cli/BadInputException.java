package org.postalfunds.client.cli;

/** A local file or value the user supplied is wrong; the message says which and how. */
public final class BadInputException extends Exception {
    private static final long serialVersionUID = 1L;

    BadInputException(final String message) {
        super(message);
    }

    BadInputException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
