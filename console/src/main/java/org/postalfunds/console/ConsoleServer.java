package org.postalfunds.console;

import static org.postalfunds.console.Html.esc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.sse.SseClient;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.hyperledger.fabric.client.Checkpoint;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.Money;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.api.model.Consortium;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerEvent;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console: HTTPS only (Jetty with the console's key and certificate), bound to 127.0.0.1 unless told
 * otherwise, every page behind a login bound to an organisation identity. Each user's reads go through the
 * ledger connection of the user's organisation.
 */
public final class ConsoleServer implements AutoCloseable {
    public static final String SESSION_COOKIE = "pfc_session";
    public static final String LOGIN_COOKIE = "pfc_login";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RENDERED = "console.rendered";
    /** The ECharts WebJar's version (root pom.xml pins the same). */
    static final String ECHARTS_VERSION = "5.3.1";
    private static final String VIEWER = "console.viewer";

    /** How the server runs. */
    public record Settings(String host, int port, Duration idleTimeout, String chaincode, Set<String> requiredEndorsers,
            Money money) {
        public static Settings defaults() {
            return new Settings("127.0.0.1", 8443, Duration.ofMinutes(15), "postal-ledger", Set.of("DataCenterMSP"),
                    Money.CENTS);
        }

        public Settings withPort(final int value) {
            return new Settings(host, value, idleTimeout, chaincode, requiredEndorsers, money);
        }
    }

    private final Javalin app;
    private final Map<String, Ledger> ledgers;
    /** One follower per organisation connection: the pages' snapshots of the ledger's events. */
    private final Map<String, LedgerFollower> followers;
    private final UserStore users;
    /** The ledger's consortium record, read at the first login. */
    private final java.util.concurrent.atomic.AtomicReference<Consortium> consortium = new java.util.concurrent.atomic.AtomicReference<>();
    private final Sessions sessions;
    private final Pages pages;

    private ConsoleServer(final Settings settings, final Map<String, Ledger> ledgers, final UserStore users,
            final TlsMaterial tls, final Clock ledgerClock, final Path uploadDirectory) throws GeneralSecurityException,
            IOException {
        this.ledgers = Map.copyOf(ledgers);
        this.followers = new java.util.TreeMap<>();
        this.users = users;
        this.sessions = new Sessions(settings.idleTimeout(), Clock.systemUTC());
        this.pages = new Pages(settings.money(), ledgerClock, settings.chaincode(), settings.requiredEndorsers());
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(tls.keyStore());
        ssl.setKeyStorePassword(tls.keyStorePassword());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jetty.addConnector((server, httpConfiguration) -> {
                HttpConfiguration https = new HttpConfiguration(httpConfiguration);
                https.addCustomizer(new SecureRequestCustomizer());
                https.setSendServerVersion(false);
                ServerConnector connector = new ServerConnector(server,
                        new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                return connector;
            });
            config.jetty.multipartConfig.cacheDirectory(uploadDirectory.toString());
            config.jetty.multipartConfig.maxFileSize(Pages.MAX_UPLOAD_BYTES, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(Pages.MAX_UPLOAD_BYTES, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(Pages.MAX_UPLOAD_BYTES + 64 * 1024, SizeUnit.BYTES);
            config.http.maxRequestSize = 64 * 1024;
            // Apache ECharts from its WebJar (org.webjars.npm:echarts) under /webjars/, served by the console itself:
            // the browser fetches nothing from anywhere else.
            config.staticFiles.enableWebjars();
            config.staticFiles.add(files -> {
                files.hostedPath = "/static";
                files.directory = "/console-static";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "max-age=300", "X-Content-Type-Options", "nosniff",
                        "Content-Security-Policy", CSP, "X-Frame-Options", "DENY");
            });
        });
        routes();
    }

    /** Starts the console; {@code settings.port()} 0 picks a free port (see {@link #port()}). */
    public static ConsoleServer start(final Settings settings, final Map<String, Ledger> ledgers, final UserStore users,
            final TlsMaterial tls, final Clock ledgerClock) throws GeneralSecurityException, IOException {
        Path uploads = Files.createTempDirectory("console-uploads");
        uploads.toFile().deleteOnExit();
        ConsoleServer server = new ConsoleServer(settings, ledgers, users, tls, ledgerClock, uploads);
        try {
            server.ledgers.forEach((msp, ledger) -> server.followers.put(msp, LedgerFollower.start(msp, ledger)));
            server.app.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public int port() {
        return app.port();
    }

    /** The follower of an organisation's connection (for tests that wait for it to catch up). */
    LedgerFollower follower(final String mspId) {
        return followers.get(mspId);
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            followers.values().forEach(LedgerFollower::close);
        }
    }

    // ---- routing, authentication, errors ----------------------------------------------------------------------------

    private void routes() {
        app.before(this::securityHeaders);
        app.before(this::authenticate);
        app.get("/", ctx -> ctx.redirect("/meters", io.javalin.http.HttpStatus.SEE_OTHER));
        app.get("/login", ctx -> loginPage(ctx, 200, null));
        app.post("/login", this::login);
        app.post("/logout", ctx -> {
            Viewer viewer = viewer(ctx);
            requireCsrf(viewer.session(), ctx.formParam("csrf"));
            sessions.close(viewer.session());
            ctx.header("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
            ctx.redirect("/login", io.javalin.http.HttpStatus.SEE_OTHER);
        });
        app.get("/meters", ctx -> page(ctx, "Meters", exports -> pages.meters(viewer(ctx), exports)));
        app.get("/meters/{id}", ctx -> {
            String meterId = ctx.pathParam("id");
            page(ctx, "Meter " + meterId, exports -> pages.meter(viewer(ctx), meterId, exports));
        });
        app.get("/transfers", ctx -> page(ctx, "Transfers in flight", exports -> pages.transfers(viewer(ctx), exports)));
        app.sse("/transfers/live", this::live);
        app.get("/refunds", ctx -> page(ctx, "Refunds of spoiled pieces", exports -> pages.refunds(viewer(ctx), exports)));
        app.get("/flows", ctx -> page(ctx, "Flows of funds", exports -> pages.flows(viewer(ctx),
                Pages.period(ctx.queryParam("from"), ctx.queryParam("to")), Pages.organisation(ctx.queryParam("org")),
                FlowDiagram.top(ctx.queryParam("top")), exports)));
        app.get("/charts", ctx -> page(ctx, "Charts", exports -> pages.charts(viewer(ctx),
                Pages.period(ctx.queryParam("from"), ctx.queryParam("to")), ctx.queryParam("meter"), exports)));
        app.get("/replacements", ctx -> page(ctx, "Replacements of failed PSDs",
                exports -> pages.replacements(viewer(ctx), exports)));
        app.get("/conservation", ctx -> page(ctx, "Conservation check", exports -> pages.conservation(viewer(ctx), exports)));
        app.get("/chain", ctx -> page(ctx, "Chain verification",
                exports -> pages.chain(viewer(ctx), ctx.queryParam("from"), ctx.queryParam("to"), exports)));
        app.get("/indicium", ctx -> render(ctx, "Indicium verification", pages.indiciumForm(viewer(ctx).session())));
        app.post("/indicium", this::uploadIndicium);

        app.exception(HttpProblem.class, (problem, ctx) -> errorPage(ctx, problem.status(), problem.title(),
                problem.getMessage()));
        app.exception(LedgerException.class, (failure, ctx) -> ledgerFailure(ctx, failure));
        app.exception(Exception.class, (failure, ctx) -> {
            LOG.error("unexpected failure on {} {}", ctx.method(), ctx.path(), failure);
            errorPage(ctx, 500, "Internal error", "the console failed to answer this request; the failure is in its log");
        });
        app.error(404, ctx -> {
            if (ctx.attribute(RENDERED) == null) {
                errorPage(ctx, 404, "Not found", "there is no page " + ctx.path());
            }
        });
        app.error(405, ctx -> {
            if (ctx.attribute(RENDERED) == null) {
                errorPage(ctx, 405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path());
            }
        });
    }

    private void securityHeaders(final Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Strict-Transport-Security", "max-age=31536000");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        if (!ctx.path().startsWith("/static/") && !ctx.path().startsWith("/webjars/")) {
            ctx.header("Cache-Control", "no-store");
        }
    }

    private static boolean open(final String path) {
        return path.equals("/login") || path.startsWith("/static/") || path.startsWith("/webjars/")
                || path.equals("/favicon.ico");
    }

    private void authenticate(final Context ctx) {
        if (open(ctx.path())) {
            return;
        }
        String cookie = ctx.cookie(SESSION_COOKIE);
        if (cookie == null || cookie.isEmpty()) {
            if ("GET".equals(ctx.method().name()) && !ctx.path().equals("/transfers/live")) {
                ctx.redirect("/login?next=" + URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8),
                        io.javalin.http.HttpStatus.SEE_OTHER);
                ctx.skipRemainingHandlers();
                return;
            }
            throw new HttpProblem(401, "Not logged in", "log in first: nothing here is open to anonymous users");
        }
        Sessions.Lookup lookup = sessions.find(cookie);
        if (lookup.session() == null) {
            ctx.header("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
            String why = switch (lookup.refusal()) {
                case MALFORMED -> "the session cookie is not one this console issues (forged or damaged)";
                case UNKNOWN -> "the session cookie names no session of this console (forged, or the console restarted)";
                case EXPIRED -> "the session expired after a time without activity";
            };
            throw new HttpProblem(401, "Session not valid", why + ". Please log in again.");
        }
        Ledger ledger = ledgers.get(lookup.session().user().mspId());
        if (ledger == null) {
            throw new HttpProblem(503, "No ledger connection", "the console has no connection for organisation "
                    + lookup.session().user().mspId());
        }
        ctx.attribute(VIEWER, new Viewer(lookup.session(), ledger, followers.get(lookup.session().user().mspId())));
    }

    private static Viewer viewer(final Context ctx) {
        Viewer viewer = ctx.attribute(VIEWER);
        if (viewer == null) {
            throw new HttpProblem(401, "Not logged in", "log in first");
        }
        return viewer;
    }

    private static void requireCsrf(final Sessions.Session session, final String presented) {
        if (presented == null || !java.security.MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
            throw new HttpProblem(403, "Form token missing or wrong", "the form did not carry this session's token "
                    + "(a cross-site request, or a page from an older session); nothing was done. Reload the page and "
                    + "try again.");
        }
    }

    /** How a page renders its body, registering its tables for export. */
    @FunctionalInterface
    private interface PageBody {
        String render(Exports exports) throws Exception;
    }

    /**
     * Renders a page, or with {@code export=<table id>} answers that table of the same page as CSV (or with
     * {@code format=json} a JSON document the page offers): an export is exactly what the page shows.
     */
    private void page(final Context ctx, final String title, final PageBody body) throws Exception {
        Exports exports = new Exports(ctx.path(), ctx.queryParamMap());
        String html = body.render(exports);
        String export = ctx.queryParam("export");
        if (export == null) {
            render(ctx, title, html);
            return;
        }
        String format = Optional.ofNullable(ctx.queryParam("format")).orElse("csv");
        String file = (ctx.path().replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", "") + "-" + export)
                .replaceAll("[^A-Za-z0-9._-]", "-");
        ctx.attribute(RENDERED, Boolean.TRUE);
        if (format.equals("json")) {
            String json = exports.document(export).orElseThrow(() -> HttpProblem.notFound("this page offers no JSON "
                    + "document " + export + "; it offers " + exports.ids()));
            ctx.header("Content-Disposition", "attachment; filename=\"" + file + ".json\"");
            ctx.contentType("application/json; charset=utf-8").result(json);
            return;
        }
        if (!format.equals("csv")) {
            throw HttpProblem.badRequest("format must be csv or json, not " + format.replaceAll("[^A-Za-z0-9]", "?"));
        }
        Table table = exports.table(export).orElseThrow(() -> HttpProblem.notFound("this page has no table "
                + export.replaceAll("[^A-Za-z0-9._-]", "?") + "; its tables are " + exports.ids()));
        ctx.header("Content-Disposition", "attachment; filename=\"" + file + ".csv\"");
        ctx.contentType("text/csv; charset=utf-8").result(table.csv());
    }

    private void render(final Context ctx, final String title, final String body) {
        Viewer viewer = ctx.attribute(VIEWER);
        ctx.attribute(RENDERED, Boolean.TRUE);
        ctx.contentType("text/html; charset=utf-8").result(Html.page(title, viewer == null ? null : viewer.session(), body));
    }

    private void errorPage(final Context ctx, final int status, final String title, final String message) {
        Viewer viewer = ctx.attribute(VIEWER);
        String body = "<p class=\"error\" id=\"error-message\">" + esc(message) + "</p>"
                + (status == 401 ? "<p><a href=\"/login\">Log in</a></p>" : "<p><a href=\"/meters\">Back to the meters</a></p>");
        ctx.status(status);
        ctx.attribute(RENDERED, Boolean.TRUE);
        securityHeaders(ctx);
        ctx.contentType("text/html; charset=utf-8").result(Html.page(status + " " + title,
                viewer == null ? null : viewer.session(), body));
    }

    private void ledgerFailure(final Context ctx, final LedgerException failure) {
        Optional<ErrorCode> code = failure.errorCode();
        LOG.warn("ledger call failed on {}: {}", ctx.path(), failure.getMessage());
        if (code.isPresent()) {
            int status = switch (code.get()) {
                case NOT_AUTHORISED -> 403;
                case UNKNOWN_METER, UNKNOWN_TRANSFER, UNKNOWN_INDICIUM, UNKNOWN_ALLOTMENT -> 404;
                default -> 422;
            };
            errorPage(ctx, status, "Refused by the ledger", "the contract refused the query: " + code.get());
        } else {
            errorPage(ctx, 502, "Ledger unreachable", "the organisation's peer did not answer (" + failure.kind()
                    + "); try again");
        }
    }

    // ---- login ------------------------------------------------------------------------------------------------------

    private void loginPage(final Context ctx, final int status, final String problem) {
        // One token per browser (double-submit cookie): a second login page in another tab, or a page reloaded by a
        // redirect of some other request, keeps the token of the form already shown.
        String existing = ctx.cookie(LOGIN_COOKIE);
        String token = existing != null && existing.matches("[0-9a-f]{64}") ? existing : Sessions.randomToken();
        ctx.header("Set-Cookie", LOGIN_COOKIE + "=" + token + "; Path=/login; Secure; HttpOnly; SameSite=Strict");
        String next = ctx.queryParam("next");
        String body = (problem == null ? "" : "<p class=\"error\" id=\"error-message\">" + esc(problem) + "</p>")
                + "<form method=\"post\" action=\"/login\" id=\"login-form\"><input type=\"hidden\" name=\"csrf\" value=\""
                + token + "\">" + (next != null && next.matches("/[a-z/A-Z0-9._-]{0,100}")
                        ? "<input type=\"hidden\" name=\"next\" value=\"" + esc(next) + "\">" : "")
                + "<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required></label>"
                + "<label>Password <input type=\"password\" name=\"password\" id=\"password\" "
                + "autocomplete=\"current-password\" required></label><button type=\"submit\" id=\"login\">Log in</button></form>";
        ctx.status(status);
        ctx.attribute(RENDERED, Boolean.TRUE);
        ctx.contentType("text/html; charset=utf-8").result(Html.page("Log in", null, body));
    }

    private void login(final Context ctx) throws LedgerException {
        String cookieToken = ctx.cookie(LOGIN_COOKIE);
        String formToken = ctx.formParam("csrf");
        if (cookieToken == null || formToken == null || !java.security.MessageDigest.isEqual(
                cookieToken.getBytes(StandardCharsets.UTF_8), formToken.getBytes(StandardCharsets.UTF_8))) {
            loginPage(ctx, 403, "The login form's token is missing or wrong (a cross-site request, or an old page). "
                    + "Try again.");
            return;
        }
        String user = Optional.ofNullable(ctx.formParam("user")).orElse("").strip();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        if (user.length() > 64 || password.length() > 256) {
            loginPage(ctx, 400, "User name or password too long.");
            return;
        }
        Optional<java.time.Instant> locked = sessions.lockedUntil(user);
        if (locked.isPresent()) {
            loginPage(ctx, 429, "Too many failed logins for this user: locked until " + locked.get() + ".");
            return;
        }
        Optional<UserStore.User> authenticated = users.authenticate(user, password);
        if (authenticated.isEmpty()) {
            sessions.loginFailed(user);
            LOG.warn("failed login for user name {}", user.replaceAll("[^A-Za-z0-9._-]", "?"));
            loginPage(ctx, 401, "Wrong user name or password.");
            return;
        }
        String roleRefusal = roleRefusal(authenticated.get());
        if (roleRefusal != null) {
            LOG.warn("login refused for user name {}: {}", user.replaceAll("[^A-Za-z0-9._-]", "?"), roleRefusal);
            loginPage(ctx, 403, "This user's role does not match its organisation: " + roleRefusal + ".");
            return;
        }
        sessions.loginSucceeded(user);
        Sessions.Session session = sessions.open(authenticated.get());
        ctx.header("Set-Cookie", SESSION_COOKIE + "=" + session.id() + "; Path=/; Secure; HttpOnly; SameSite=Strict");
        String next = ctx.formParam("next");
        ctx.redirect(next != null && next.matches("/[a-z/A-Z0-9._-]{0,100}") && !next.startsWith("//") ? next : "/meters",
                io.javalin.http.HttpStatus.SEE_OTHER);
    }

    /**
     * Null when the user's role fits its organisation by the ledger's consortium record (read through the user's own
     * connection once, then kept: the data center and postal authority never change, owners only grow), else why not.
     */
    private String roleRefusal(final UserStore.User user) throws LedgerException {
        Consortium known = consortium.get();
        if (known == null || !known.isMember(user.mspId())) {
            Ledger ledger = ledgers.get(user.mspId());
            if (ledger == null) {
                return "the console has no connection for organisation " + user.mspId();
            }
            known = org.postalfunds.client.model.Json.fromLedger(ledger.evaluate(
                    org.postalfunds.client.ledger.LedgerCall.query(org.postalfunds.api.LedgerFunction.GET_CONSORTIUM)),
                    Consortium.class);
            consortium.set(known);
        }
        try {
            user.role().requireMatches(user.mspId(), known);
            return null;
        } catch (IllegalArgumentException refused) {
            return refused.getMessage();
        }
    }

    // ---- indicium upload --------------------------------------------------------------------------------------------

    private void uploadIndicium(final Context ctx) throws Exception {
        Viewer viewer = viewer(ctx);
        long length = ctx.contentLength();
        if (length < 0) {
            throw new HttpProblem(411, "Length required", "the upload must state its length");
        }
        if (length > Pages.MAX_UPLOAD_BYTES + 64 * 1024) {
            throw Pages.tooLarge();
        }
        String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
        if (!contentType.startsWith("multipart/form-data")) {
            throw new HttpProblem(415, "Not an upload", "send the PNG as a multipart/form-data upload (the page's form)");
        }
        UploadedFile file;
        String csrf;
        try {
            csrf = ctx.formParam("csrf");
            file = ctx.uploadedFile("png");
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("exceed")) {
                throw Pages.tooLarge();
            }
            throw HttpProblem.badRequest("the upload could not be read as a form: " + e.getMessage());
        }
        requireCsrf(viewer.session(), csrf);
        if (file == null) {
            throw HttpProblem.badRequest("the form carried no file named png");
        }
        if (file.size() > Pages.MAX_UPLOAD_BYTES) {
            throw Pages.tooLarge();
        }
        String result;
        try (InputStream content = file.content()) {
            result = pages.verifyIndicium(viewer, content);
        }
        render(ctx, "Indicium verification", result + pages.indiciumForm(viewer.session()));
    }

    // ---- live transfers ---------------------------------------------------------------------------------------------

    private void live(final SseClient client) {
        Context ctx = client.ctx();
        Viewer viewer = ctx.attribute(VIEWER);
        if (viewer == null) {
            client.close();
            return;
        }
        String lastEventId = ctx.header("Last-Event-ID");
        // The block of the last event seen is read again: a connection may have broken part-way through it.
        long after = lastEventId != null && lastEventId.matches("[0-9]{1,15}") ? Long.parseLong(lastEventId)
                : Pages.blockNumber(Optional.ofNullable(ctx.queryParam("after")).orElse("0"), "after");
        AtomicBoolean running = new AtomicBoolean(true);
        client.keepAlive();
        client.onClose(() -> running.set(false));
        Thread follower = new Thread(() -> follow(client, viewer, after, running), "console-live-" + viewer.user().name());
        follower.setDaemon(true);
        follower.start();
    }

    private void follow(final SseClient client, final Viewer viewer, final long fromBlock, final AtomicBoolean running) {
        Checkpoint checkpoint = new Checkpoint() {
            @Override
            public OptionalLong getBlockNumber() {
                return OptionalLong.of(fromBlock);
            }

            @Override
            public Optional<String> getTransactionId() {
                return Optional.empty();
            }
        };
        long lastBeat = System.nanoTime();
        try (EventFeed feed = viewer.ledger().follow(checkpoint)) {
            client.sendComment("following from block " + fromBlock);
            while (running.get() && !client.terminated()) {
                Optional<LedgerEvent> event = feed.next(Duration.ofSeconds(1));
                if (event.isPresent()) {
                    send(client, viewer, event.get());
                } else if (System.nanoTime() - lastBeat > Duration.ofSeconds(15).toNanos()) {
                    client.sendComment("still here");
                    lastBeat = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LedgerException | RuntimeException e) {
            LOG.warn("live transfer feed for {} stopped: {}", viewer.user().name(), e.getMessage());
        } finally {
            client.close();
        }
    }

    private void send(final SseClient client, final Viewer viewer, final LedgerEvent event) {
        var payload = Json.treeFromLedger(event.payloadJson().getBytes(StandardCharsets.UTF_8)).get("transfer");
        if (payload == null || !payload.isObject()) {
            return;
        }
        Transfer transfer = Json.convert(payload, Transfer.class);
        if (!viewer.mayView(transfer)) {
            return; // another organisation's transfer: a mailer's feed never carries it
        }
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("transferId", transfer.transferId());
        update.put("open", TransferState.OPEN.contains(transfer.state()));
        update.put("cells", pages.transferCells(transfer));
        update.put("deadline", transfer.deadlineEpochSeconds());
        update.put("block", event.blockNumber());
        try {
            client.sendEvent("transfer", JSON.writeValueAsString(update), Long.toString(event.blockNumber()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
