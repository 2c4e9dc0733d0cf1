package org.intravis.ui;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The browser's ways in, in Chromium against the real server with tokens: a page asked for without a session leads
 * to the login page, which exchanges a token for the HttpOnly cookie and returns to the page, whose video and API
 * calls then work on that cookie alone; a kiosk display opened once with a viewer token in its address ends up
 * showing the stream with the token gone from the address.
 */
class LoginBrowserTest {
    static final String STREAM = "us1";

    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @TempDir
    static Path data;
    static Application app;
    static String viewer;
    static String operator;

    @BeforeAll
    static void start() {
        TokenStore tokens = new TokenStore(data);
        viewer = tokens.create("or3-display", Role.VIEWER).token();
        operator = tokens.create("dr-lee", Role.OPERATOR).token();
        app = Application.start(ModuleSettings.validate(TestApps.config(data, STREAM,
                "synthetic:ultrasound?width=320&height=240&fps=15", "none")));
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void theLoginPageExchangesATokenForTheCookieAndReturnsToThePage() {
        Page page = chromium.page(1000, 700);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        page.waitForURL(u -> u.contains("/login?next="), new Page.WaitForURLOptions().setTimeout(10_000));
        assertThat(page.locator("#token").isVisible()).isTrue();

        chromium.allow("HTTP 401: POST .*/api/login|status of 401", "a wrong token is refused on purpose");
        page.fill("#token", "ivt_000000000000.not-a-token");
        page.click("button[type=submit]");
        waitFor("the refusal shown", 10_000, () -> page.locator("#message").textContent().contains("not valid"));

        page.fill("#token", operator);
        page.click("button[type=submit]");
        page.waitForURL(u -> u.endsWith("/display?stream=" + STREAM + "&encoding=jpeg"),
                new Page.WaitForURLOptions().setTimeout(10_000));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames over the WebSocket on the cookie", 30_000, () -> view.decoded() > 5);
        assertThat(page.evaluate("() => document.cookie")).as("HttpOnly: no script reads the session").isEqualTo("");
        screenshot(page, "login-then-display");

        // the surgeon's page changes zones with the cookie alone (its fetches send this server's own Origin)
        page.navigate(TestApps.url(app, "/surgeon?stream=" + STREAM + "&encoding=jpeg"));
        Object status = page.evaluate("async () => (await fetch('/api/streams/" + STREAM + "/zones', {method: 'PUT',"
                + " headers: {'content-type': 'application/json'},"
                + " body: JSON.stringify([{id: 1, label: 'nerve', points: [[5, 5], [60, 5], [30, 50]]}])})).status");
        assertThat(((Number) status).intValue()).isEqualTo(204);
    }

    @Test
    void aKioskOpenedWithAViewerTokenShowsTheStreamAndDropsTheTokenFromTheAddress() {
        Page page = chromium.page(1000, 700);
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg&kiosk=1&token=" + viewer));
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames on the kiosk", 30_000, () -> view.decoded() > 5);
        assertThat(String.valueOf(page.evaluate("() => location.href")))
                .endsWith("/display?stream=" + STREAM + "&encoding=jpeg&kiosk=1").doesNotContain("token");
        assertThat(page.evaluate("() => location.href + ' ' + history.length")).asString().doesNotContain(viewer);
        screenshot(page, "kiosk-token-exchanged");

        // the viewer may watch but not change zones, even from the page
        Object status = page.evaluate("async () => (await fetch('/api/streams/" + STREAM + "/zones', {method: 'DELETE'})).status");
        chromium.allow("HTTP 403: DELETE .*/zones|status of 403", "the viewer's change is refused on purpose");
        assertThat(((Number) status).intValue()).isEqualTo(403);
    }
}
