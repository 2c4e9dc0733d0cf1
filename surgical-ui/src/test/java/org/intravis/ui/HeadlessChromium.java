package org.intravis.ui;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Debian's Chromium, headless, driven by Playwright (no browser download), with screenshots kept under target/. */
final class HeadlessChromium implements AutoCloseable {
    static final Path ARTEFACTS = Paths.get("target", "browser-artefacts");

    final Playwright playwright;
    final Browser browser;
    /** Requests any page made to a host other than this machine (must stay empty: everything is local). */
    final List<String> outsideRequests = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    HeadlessChromium() {
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Paths.get("/usr/bin/chromium"))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        "--autoplay-policy=no-user-gesture-required")));
    }

    Page page(int width, int height) {
        Page p = browser.newPage(new Browser.NewPageOptions().setViewportSize(width, height));
        p.onConsoleMessage(m -> {
            if ("error".equals(m.type()) || "warning".equals(m.type())) {
                System.out.println("[browser " + m.type() + "] " + m.text());
            }
        });
        p.onPageError(e -> System.out.println("[page error] " + e));
        p.onRequest(r -> {
            String u = r.url();
            if (!u.startsWith("http://127.0.0.1") && !u.startsWith("ws://127.0.0.1") && !u.startsWith("http://localhost")
                    && !u.startsWith("ws://localhost") && !u.startsWith("data:") && !u.startsWith("blob:")) {
                outsideRequests.add(u);
            }
        });
        return p;
    }

    static void screenshot(Page page, String name) {
        try {
            Files.createDirectories(ARTEFACTS);
            page.screenshot(new Page.ScreenshotOptions().setPath(ARTEFACTS.resolve(name + ".png")));
        } catch (Exception e) {
            System.out.println("screenshot " + name + " failed: " + e);
        }
    }

    /** Polls a condition evaluated in the test (usually reading the page), failing with a description. */
    static void waitFor(String what, long timeoutMillis, BooleanSupplier condition) {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    @Override
    public void close() {
        browser.close();
        playwright.close();
    }
}
