package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The browser's ways in, in Chromium against the real server with tokens: a page asked for without a session leads
 * to the login page, which exchanges a token for the HttpOnly cookie and returns to the page, whose video and API
 * calls then work on that cookie alone; a kiosk display opened once with a viewer token in its address ends up
 * showing the stream with the token gone from the address. Both over plain HTTP (loopback) and over HTTPS, where a
 * display off localhost needs them (a secure context for WebCodecs, a Secure cookie).
 */
class LoginBrowserTest {
    static final String STREAM = "us1";

    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @TempDir
    static Path dir;
    /** By scheme ("http", "https"): the application, and its viewer and operator tokens. */
    static final Map<String, Application> apps = new HashMap<>();
    static final Map<String, String> viewer = new HashMap<>();
    static final Map<String, String> operator = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "login");
        for (String scheme : new String[]{"http", "https"}) {
            Path data = dir.resolve(scheme);
            TokenStore tokens = new TokenStore(data);
            viewer.put(scheme, tokens.create("or3-display", Role.VIEWER).token());
            operator.put(scheme, tokens.create("dr-lee", Role.OPERATOR).token());
            IntravisConfig config = TestApps.config(data, STREAM, "synthetic:ultrasound?width=320&height=240&fps=15", "none");
            apps.put(scheme, Application.start(ModuleSettings.validate(scheme.equals("https") ? certs.withTls(config) : config)));
        }
    }

    @AfterAll
    static void stop() {
        apps.values().forEach(Application::close);
    }

    private static String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + apps.get(scheme).port() + path;
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "https"})
    void theLoginPageExchangesATokenForTheCookieAndReturnsToThePage(String scheme) {
        Page page = chromium.page(1000, 700);
        page.navigate(url(scheme, "/display?stream=" + STREAM + "&encoding=jpeg"));
        page.waitForURL(u -> u.contains("/login?next="), new Page.WaitForURLOptions().setTimeout(10_000));
        assertThat(page.locator("#token").isVisible()).isTrue();

        chromium.allow("HTTP 401: POST .*/api/login|status of 401", "a wrong token is refused on purpose");
        page.fill("#token", "ivt_000000000000.not-a-token");
        page.click("button[type=submit]");
        waitFor("the refusal shown", 10_000, () -> page.locator("#message").textContent().contains("not valid"));

        page.fill("#token", operator.get(scheme));
        page.click("button[type=submit]");
        page.waitForURL(u -> u.endsWith("/display?stream=" + STREAM + "&encoding=jpeg"),
                new Page.WaitForURLOptions().setTimeout(10_000));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames over the WebSocket on the cookie", 30_000, () -> view.decoded() > 5);
        assertThat(page.evaluate("() => document.cookie")).as("HttpOnly: no script reads the session").isEqualTo("");
        assertThat(page.evaluate("() => window.isSecureContext")).isEqualTo(true); // loopback http is one too
        com.microsoft.playwright.options.Cookie session = page.context().cookies().stream()
                .filter(c -> c.name.equals("intravis.session")).findFirst().orElseThrow();
        assertThat(session.httpOnly).isTrue();
        assertThat(session.sameSite).isEqualTo(com.microsoft.playwright.options.SameSiteAttribute.STRICT);
        assertThat(session.secure).as("Secure exactly when served over TLS").isEqualTo(scheme.equals("https"));
        screenshot(page, "login-then-display-" + scheme);

        // the surgeon's page changes zones with the cookie alone (its fetches send this server's own Origin)
        page.navigate(url(scheme, "/surgeon?stream=" + STREAM + "&encoding=jpeg"));
        Object status = page.evaluate("async () => (await fetch('/api/streams/" + STREAM + "/zones', {method: 'PUT',"
                + " headers: {'content-type': 'application/json'},"
                + " body: JSON.stringify([{id: 1, label: 'nerve', points: [[5, 5], [60, 5], [30, 50]]}])})).status");
        assertThat(((Number) status).intValue()).isEqualTo(204);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "https"})
    void aKioskOpenedWithAViewerTokenShowsTheStreamAndDropsTheTokenFromTheAddress(String scheme) {
        Page page = chromium.page(1000, 700);
        String viewer = LoginBrowserTest.viewer.get(scheme);
        page.navigate(url(scheme, "/display?stream=" + STREAM + "&encoding=jpeg&kiosk=1&token=" + viewer));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames on the kiosk", 30_000, () -> view.decoded() > 5);
        assertThat(String.valueOf(page.evaluate("() => location.href")))
                .startsWith(scheme + "://").endsWith("/display?stream=" + STREAM + "&encoding=jpeg&kiosk=1")
                .doesNotContain("token");
        assertThat(page.evaluate("() => location.href + ' ' + history.length")).asString().doesNotContain(viewer);
        screenshot(page, "kiosk-token-exchanged-" + scheme);

        // the viewer may watch but not change zones, even from the page
        Object status = page.evaluate("async () => (await fetch('/api/streams/" + STREAM + "/zones', {method: 'DELETE'})).status");
        chromium.allow("HTTP 403: DELETE .*/zones|status of 403", "the viewer's change is refused on purpose");
        assertThat(((Number) status).intValue()).isEqualTo(403);
    }

    @org.junit.jupiter.api.Test
    void aDisplayWhoseTokenIsRevokedLosesItsStreamAndGoesToTheLoginPage() {
        String token = new TokenStore(dir.resolve("http")).create("wall-display", Role.VIEWER).token();
        Page page = chromium.page(1000, 700);
        // the server reads the token file within a second: until then the address token is refused
        chromium.allow("HTTP 401|status of 401|WebSocket connection to .* failed",
                "the revoked display is refused on purpose (and the new token may be refused for its first second)");
        waitFor("the kiosk let in", 10_000, () -> {
            page.navigate(url("http", "/display?stream=" + STREAM + "&encoding=jpeg&kiosk=1&token=" + token));
            return !page.url().contains("/login");
        });
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames on the display", 30_000, () -> view.decoded() > 5);

        new TokenStore(dir.resolve("http")).revoke("wall-display");
        page.waitForURL(u -> u.contains("/login?next="), new Page.WaitForURLOptions().setTimeout(20_000));
        assertThat(page.url()).contains("next=%2Fdisplay%3Fstream%3D" + STREAM);
        assertThat(page.locator("#token").isVisible()).isTrue();
        screenshot(page, "revoked-display-to-login");
    }
}
