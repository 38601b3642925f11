package org.postalfunds.hsm.enrol;

/** A meter could not be enrolled: the CSR was refused, or the issued certificate does not fit the token key. */
public final class EnrolmentException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String meterId;

    public EnrolmentException(final String meterId, final String message) {
        this(meterId, message, null);
    }

    public EnrolmentException(final String meterId, final String message, final Throwable cause) {
        super(message, cause);
        this.meterId = meterId;
    }

    public String meterId() {
        return meterId;
    }
}
