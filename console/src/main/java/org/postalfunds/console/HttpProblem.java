package org.postalfunds.console;

/**
 * A request the console refuses, with the status and the sentence the error page shows. Nothing has changed
 * when one is thrown: every check runs before any ledger call that could change state.
 */
public final class HttpProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;

    public HttpProblem(final int status, final String title, final String message) {
        super(message);
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public static HttpProblem badRequest(final String message) {
        return new HttpProblem(400, "Bad request", message);
    }

    public static HttpProblem forbidden(final String message) {
        return new HttpProblem(403, "Forbidden", message);
    }

    public static HttpProblem notFound(final String message) {
        return new HttpProblem(404, "Not found", message);
    }
}
