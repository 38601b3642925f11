package org.postalfunds.client.cli;

/** A verification ran to the end and its answer is "no"; the details have been printed already. */
final class CheckFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    CheckFailedException(final String message) {
        super(message);
    }
}
