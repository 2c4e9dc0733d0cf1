package org.intravis.ui;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;
import org.intravis.inference.StreamRegistration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.intravis.ui.HeadlessChromium.screenshot;
import static org.intravis.ui.HeadlessChromium.waitFor;

/**
 * The pages over HTTPS (the real application with a self-signed certificate made for the test; Chromium told to
 * accept it): a secure context, so the OR display and the surgeon's page pick H.264 through WebCodecs by themselves
 * and render live frames and the overlay over WSS, under the Content-Security-Policy with not one violation, console
 * error or failed request (the {@link HeadlessChromium} extension fails the test on any). One test injects inline
 * script on purpose to show that the policy blocks it and that a violation is seen.
 */
class SecurePagesBrowserTest {
    static final String STREAM = "us1";

    @RegisterExtension
    static final HeadlessChromium chromium = new HeadlessChromium();

    @TempDir
    static Path dir;
    static Application app;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "pages");
        app = TestApps.start(certs.withTls(TestApps.config(dir.resolve("data"), STREAM,
                "synthetic:ultrasound?width=640&height=360&fps=30&seed=5", StreamRegistration.GROUND_TRUTH)));
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    @Test
    void theOrDisplayRendersTheLiveStreamOverHttpsWithWebCodecs() {
        Page page = chromium.page(1280, 720);
        // encoding left to the page: auto
        Response r = page.navigate(TestApps.url(app, "/display?stream=" + STREAM));
        assertSecureHeaders(r);
        assertThat(page.evaluate("() => window.isSecureContext")).isEqualTo(true);
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("H.264 frames decoded over WSS", 30_000, () -> view.decoded() > 15);
        assertThat(view.snapshot().get("encoding")).as("a secure context has WebCodecs").isEqualTo("h264");
        long c1 = view.videoChecksum();
        waitFor("the picture to change", 10_000, () -> view.videoChecksum() != c1);
        waitFor("the overlay drawn over the picture", 30_000, () -> view.overlayPixels() > 0);
        assertThat(view.stateText()).isEmpty();
        screenshot(page, "https-display");
    }

    @Test
    void theSurgeonPageRendersTheLiveStreamOverHttps() {
        Page page = chromium.page(1280, 800);
        Response r = page.navigate(TestApps.url(app, "/surgeon?stream=" + STREAM));
        assertSecureHeaders(r);
        StreamPage view = new StreamPage(page, STREAM);
        waitFor("frames decoded over WSS", 30_000, () -> view.decoded() > 15);
        assertThat(view.snapshot().get("encoding")).isEqualTo("h264");
        long c1 = view.videoChecksum();
        waitFor("the picture to change", 10_000, () -> view.videoChecksum() != c1);
        waitFor("the overlay drawn over the picture", 30_000, () -> view.overlayPixels() > 0);
        // the page's own REST calls (streams list, recording status) go through under the policy too
        waitFor("the recording status", 10_000, () -> page.locator("#rec-status").textContent().startsWith("idle"));
        screenshot(page, "https-surgeon");
    }

    @Test
    void everyPageLoadsOverHttpsWithoutAViolation() throws Exception {
        for (String f : SecurityHeadersTest.webrootFiles()) {
            if (!f.endsWith(".html")) {
                continue;
            }
            Page page = chromium.page(1024, 700);
            Response r = page.navigate(TestApps.url(app, f + "?stream=" + STREAM + "&encoding=jpeg"));
            assertSecureHeaders(r);
            if (f.equals("/login.html")) { // the one page without a stream: its form, under the same policy
                assertThat(page.locator("#token").isVisible()).as(f).isTrue();
                assertThat(chromium.unexpected()).as(f).isEmpty();
                continue;
            }
            StreamPage view = new StreamPage(page, STREAM);
            waitFor(f + " decoding frames", 30_000, () -> view.decoded() > 5);
            assertThat(chromium.unexpected()).as(f).isEmpty();
        }
    }

    @Test
    void inlineScriptIsBlockedAndTheViolationIsSeen() {
        Page page = chromium.page(800, 600);
        List<String> violations = new CopyOnWriteArrayList<>();
        page.onConsoleMessage(m -> {
            if (m.text().startsWith("CSP violation")) {
                violations.add(m.text());
            }
        });
        chromium.allow("CSP violation: script-src|violates the following Content Security Policy directive 'script-src",
                "this test injects an inline script to show that the policy blocks it");
        page.navigate(TestApps.url(app, "/display?stream=" + STREAM + "&encoding=jpeg"));
        Object ran = page.evaluate("() => { const s = document.createElement('script');"
                + " s.textContent = 'window.injected = 1'; document.body.appendChild(s); return window.injected === 1; }");
        assertThat(ran).as("inline script must not run").isEqualTo(false);
        waitFor("the violation reported", 10_000, () -> {
            page.evaluate("() => 0");
            return !violations.isEmpty();
        });
        assertThat(violations.get(0)).contains("script-src");
    }

    static void assertSecureHeaders(Response r) {
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.url()).startsWith("https://");
        assertThat(r.headers().get("content-security-policy")).isEqualTo(SecurityHeaders.CONTENT_SECURITY_POLICY);
        assertThat(r.headers().get("x-content-type-options")).isEqualTo("nosniff");
        assertThat(r.headers().get("referrer-policy")).isEqualTo("no-referrer");
    }
}
