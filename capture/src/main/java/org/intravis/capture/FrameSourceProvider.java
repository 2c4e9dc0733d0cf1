package org.intravis.capture;

import org.intravis.pipeline.FrameSource;

import java.util.Set;

/**
 * Makes {@link FrameSource}s for some URI schemes. Implementations register in
 * {@code META-INF/services/org.intravis.capture.FrameSourceProvider}; {@link FrameSources} finds them, so a new
 * kind of source is one class and one line, with no central switch to edit.
 */
public interface FrameSourceProvider {

    /** URI schemes handled, lower case, e.g. {@code synthetic}, {@code file}, {@code udp}. */
    Set<String> schemes();

    /** One line per URI form, shown by {@code intravis sources} and in errors. */
    String usage();

    /**
     * Creates (does not open) a source. Throws {@link IllegalArgumentException} with a clear message for a URI
     * it cannot make sense of (unknown synthetic kind, bad option).
     */
    FrameSource create(SourceUri uri);
}
