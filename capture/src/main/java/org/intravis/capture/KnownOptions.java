package org.intravis.capture;

import java.util.Set;
import java.util.TreeSet;

/** Rejects URI options a source does not know, so a typo ({@code lop=true}) is an error instead of a silent default. */
public final class KnownOptions {
    private KnownOptions() {
    }

    /** Throws {@link IllegalArgumentException} naming the first unknown option and listing the known ones. */
    public static void require(SourceUri uri, Set<String> known) {
        for (String key : uri.options().keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' in source '" + uri.redacted()
                        + "'; " + uri.scheme() + ": sources take " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }
}
