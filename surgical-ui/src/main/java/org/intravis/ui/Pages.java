package org.intravis.ui;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The browser pages: plain HTML, CSS and ES modules served from the jar's {@code webroot/}, and their short names
 * ({@code /display} for the OR display, {@code /surgeon} beside {@code /} for the surgeon's page, {@code /login}). A new page is a
 * file in {@code webroot/}, and an alias here if it needs one. Mounted last: everything else the server routes
 * comes first.
 */
final class Pages {
    private Pages() {
    }

    static void mount(Router router) {
        router.get("/display").handler(rc -> rc.reroute("/display.html"));
        router.get("/surgeon").handler(rc -> rc.reroute("/index.html"));
        router.get("/login").handler(rc -> rc.reroute("/login.html"));
        router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false)
                .setDefaultContentEncoding("UTF-8"));
    }
}
