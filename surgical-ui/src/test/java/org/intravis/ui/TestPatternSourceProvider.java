package org.intravis.ui;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** Registers the test fixture source under {@code testpattern:} (test classpath only). */
public final class TestPatternSourceProvider implements FrameSourceProvider {
    /** The newest source made, so a test can reach it behind the application. */
    static volatile TestPatternSource last;

    @Override
    public Set<String> schemes() {
        return Set.of("testpattern");
    }

    @Override
    public String usage() {
        return "testpattern:?width=W&height=H&fps=F&period=S   test fixture: a needle moving along a known path";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        TestPatternSource s = new TestPatternSource(uri.raw(), uri.intOption("width", 640), uri.intOption("height", 360),
                uri.doubleOption("fps", 30), uri.doubleOption("period", 4));
        last = s;
        return s;
    }
}
