package org.intravis.ui;

import io.vertx.core.http.HttpMethod;

/**
 * The role table (docs/security.md), by request rather than by route, so that a route added later falls under it
 * without being listed: reading is for viewers, every change is for operators, the audit trail is for admins.
 */
final class RequiredRole {
    private RequiredRole() {
    }

    static Role of(HttpMethod method, String normalizedPath) {
        if (normalizedPath.equals("/api/audit") || normalizedPath.startsWith("/api/audit/")) {
            return Role.ADMIN;
        }
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            return Role.VIEWER; // pages, stream reads, the WebSocket and MJPEG, recordings list, replay state
        }
        return Role.OPERATOR; // zones, inference pause/resume, recording start/stop, replay control
    }
}
