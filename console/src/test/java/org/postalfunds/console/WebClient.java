package org.postalfunds.console;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A user's HTTP client against the console over TLS: keeps the session cookie by hand, follows no redirect. */
final class WebClient {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"");

    private final ConsoleFixture fixture;
    private final HttpClient http;
    String sessionCookie;

    WebClient(final ConsoleFixture fixture) throws Exception {
        this.fixture = fixture;
        this.http = HttpClient.newBuilder().sslContext(fixture.trustingConsole())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpClient http() {
        return http;
    }

    HttpRequest.Builder request(final String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(fixture.base() + path)).timeout(Duration.ofSeconds(60));
        if (sessionCookie != null) {
            builder.header("Cookie", ConsoleServer.SESSION_COOKIE + "=" + sessionCookie);
        }
        return builder;
    }

    HttpResponse<String> get(final String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(final String path, final Map<String, String> form) throws Exception {
        return http.send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in through the form (with its token cookie) and keeps the session cookie; returns the answer. */
    HttpResponse<String> login(final String user, final String password) throws Exception {
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(fixture.base() + "/login")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        String loginCookie = cookie(page, ConsoleServer.LOGIN_COOKIE);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("csrf", csrf(page.body()));
        form.put("user", user);
        form.put("password", password);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(fixture.base() + "/login"))
                .header("Cookie", ConsoleServer.LOGIN_COOKIE + "=" + loginCookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form))).build(), HttpResponse.BodyHandlers.ofString());
        String session = cookie(answer, ConsoleServer.SESSION_COOKIE);
        if (session != null && !session.isEmpty()) {
            sessionCookie = session;
        }
        return answer;
    }

    /** This session's CSRF token, read from a page's logout form. */
    String csrf() throws Exception {
        return csrf(get("/meters").body());
    }

    static String csrf(final String html) {
        Matcher matcher = CSRF.matcher(html);
        if (!matcher.find()) {
            throw new AssertionError("no csrf field in " + html);
        }
        return matcher.group(1);
    }

    static String cookie(final HttpResponse<?> response, final String name) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            if (header.startsWith(name + "=")) {
                return header.substring(name.length() + 1, header.indexOf(';') < 0 ? header.length() : header.indexOf(';'));
            }
        }
        return null;
    }

    HttpResponse<String> upload(final String csrf, final String filename, final String contentType, final byte[] content)
            throws Exception {
        String boundary = "----console-test-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (csrf != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"png\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(request("/indicium").header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String encode(final Map<String, String> form) {
        return form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }
}
