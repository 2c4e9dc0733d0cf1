package org.intravis.ui;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * Debian's Chromium, headless, driven by Playwright (no browser download), as a JUnit extension that makes every
 * browser test fail on what the pages report as wrong: a console error, an uncaught page error, an HTTP error
 * answer to a request the page made, or a request to any host but this machine (HTTP or HTTPS), or a Content-Security-Policy violation. A test that expects one (a server
 * it stops on purpose) names it with {@link #allow}, with the reason. The check runs right after each test method,
 * before its {@code @AfterEach} stops servers, and closes that test's pages so that nothing they log later counts.
 * <p>
 * Register it as {@code @RegisterExtension static final HeadlessChromium chromium = new HeadlessChromium();}.
 * Screenshots go to target/browser-artefacts. Playwright is not thread-safe: all calls stay on the test thread.
 */
final class HeadlessChromium implements BeforeEachCallback, AfterTestExecutionCallback, AfterAllCallback {
    static final Path ARTEFACTS = Paths.get("target", "browser-artefacts");

    /** Something a page reported as wrong. */
    record Problem(String kind, String text) {
        @Override
        public String toString() {
            return kind + ": " + text;
        }
    }

    private record Allowed(Pattern pattern, String why) {
    }

    private Playwright playwright;
    private Browser browser;
    private final List<Page> pages = new ArrayList<>();
    private final List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<Allowed> allowed = new ArrayList<>();

    /** Opens a page for the current test (closed after it). */
    Page page(int width, int height) {
        if (browser == null) {
            playwright = Playwright.create(new Playwright.CreateOptions()
                    .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Paths.get("/usr/bin/chromium"))
                    .setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--no-first-run",
                            "--autoplay-policy=no-user-gesture-required")));
        }
        // HTTPS tests serve a self-signed certificate made for the test; plain HTTP is unaffected
        Page p = browser.newPage(new Browser.NewPageOptions().setViewportSize(width, height).setIgnoreHTTPSErrors(true));
        // a Content-Security-Policy violation is a failure too, reported whether or not Chromium also logs it
        p.addInitScript("document.addEventListener('securitypolicyviolation', e => console.error("
                + "'CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile));");
        p.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                problems.add(new Problem("console error", m.text() + (m.location() == null ? "" : " at " + m.location())));
            } else if ("warning".equals(m.type())) {
                System.out.println("[browser warning] " + m.text()); // warnings are shown, not failed
            }
        });
        p.onPageError(e -> problems.add(new Problem("page error", String.valueOf(e))));
        p.onResponse(r -> {
            if (r.status() >= 400) {
                problems.add(new Problem("HTTP " + r.status(), r.request().method() + " " + r.url()));
            }
        });
        p.onRequest(r -> {
            String u = r.url();
            if (!u.matches("(https?|wss?)://(127\\.0\\.0\\.1|localhost)[:/].*") && !u.startsWith("data:")
                    && !u.startsWith("blob:")) {
                problems.add(new Problem("request to another host", u));
            }
        });
        pages.add(p);
        return p;
    }

    /**
     * Lets problems whose text matches {@code regex} pass in the current test only, for the reason given (which is
     * printed with each one let pass).
     */
    void allow(String regex, String why) {
        if (why == null || why.isBlank()) {
            throw new IllegalArgumentException("say why " + regex + " is allowed");
        }
        allowed.add(new Allowed(Pattern.compile(regex), why));
    }

    /** What the pages of the current test reported so far that no {@link #allow} covers. */
    List<Problem> unexpected() {
        for (Page p : pages) {
            if (!p.isClosed()) {
                p.evaluate("() => 0"); // a round trip: Playwright delivers the events that are still queued
            }
        }
        List<Problem> out = new ArrayList<>();
        synchronized (problems) {
            for (Problem pr : problems) {
                Allowed a = allowed.stream().filter(x -> x.pattern.matcher(pr.toString()).find()).findFirst().orElse(null);
                if (a == null) {
                    out.add(pr);
                } else {
                    System.out.println("[allowed, " + a.why + "] " + pr);
                }
            }
        }
        return out;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        problems.clear();
        allowed.clear();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        List<Problem> found;
        try {
            found = unexpected();
        } finally {
            for (Page p : pages) {
                if (!p.isClosed()) {
                    p.close();
                }
            }
            pages.clear();
        }
        if (found.isEmpty()) {
            return;
        }
        AssertionError e = new AssertionError("the pages reported " + found.size() + " problem(s):\n  "
                + String.join("\n  ", found.stream().map(Problem::toString).toList()));
        if (context.getExecutionException().isPresent()) {
            context.getExecutionException().get().addSuppressed(e); // the test's own failure comes first
        } else {
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (browser != null) {
            browser.close();
            playwright.close();
            browser = null;
        }
    }

    static void screenshot(Page page, String name) {
        try {
            Files.createDirectories(ARTEFACTS);
            page.screenshot(new Page.ScreenshotOptions().setPath(ARTEFACTS.resolve(name + ".png")));
        } catch (Exception e) {
            System.out.println("screenshot " + name + " failed: " + e);
        }
    }

    /**
     * Polls a condition (usually reading the page) on this thread, as Playwright needs, failing with a description
     * once {@code timeoutMillis} have passed. The limits are generous liveness bounds, not performance assertions.
     */
    static void waitFor(String what, long timeoutMillis, BooleanSupplier condition) {
        await(what).atMost(Duration.ofMillis(timeoutMillis)).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }

    /** As {@link #waitFor(String, long, BooleanSupplier)}, and a failure says what {@code shown} read at the end. */
    static void waitFor(String what, long timeoutMillis, BooleanSupplier condition, Supplier<String> shown) {
        try {
            waitFor(what, timeoutMillis, condition);
        } catch (ConditionTimeoutException e) {
            String state;
            try {
                state = shown.get();
            } catch (RuntimeException unreadable) {
                state = "(unreadable: " + unreadable + ")";
            }
            throw new AssertionError(e.getMessage() + "; at the end: " + state, e);
        }
    }
}
