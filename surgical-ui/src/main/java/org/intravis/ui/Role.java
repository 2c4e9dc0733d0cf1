package org.intravis.ui;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a token may do, each role including the ones below it (docs/security.md):
 * <ul>
 *   <li>{@code viewer}: the pages, the streams (REST reads, WebSocket, MJPEG), the recordings list, replay viewing;</li>
 *   <li>{@code operator}: also every change (zones, inference pause/resume, recording start/stop, replay control);</li>
 *   <li>{@code admin}: also the audit trail.</li>
 * </ul>
 */
enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** The name used on the command line, in the token file and in the audit trail. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This role and every role it includes, lowest first (the user's role-based authorizations). */
    List<Role> included() {
        return Arrays.asList(values()).subList(0, ordinal() + 1);
    }

    static Role parse(String s) {
        for (Role r : values()) {
            if (r.id().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new UserError("unknown role '" + s + "': viewer, operator or admin");
    }
}
