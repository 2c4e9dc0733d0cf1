package org.intravis.capture.igtl;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** {@code igtl://HOST:PORT}: the IMAGE messages of an OpenIGTLink server (PLUS Server, 3D Slicer) ({@link IgtlSource}). */
public final class IgtlSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("device", "timeoutMs", "reconnectInitialMs", "reconnectMaxMs",
            "width", "height", "format", "pixelSpacingMm", "fps", "maxMessageMb");

    @Override
    public Set<String> schemes() {
        return Set.of("igtl");
    }

    @Override
    public String usage() {
        return "igtl://HOST:PORT[?device=NAME&timeoutMs=3000&format=gray|bgr&width=W&height=H&pixelSpacingMm=MM&fps=N]"
                + "  OpenIGTLink server's IMAGE messages (PLUS Server, 3D Slicer), 8-bit grey or RGB, reconnects by itself";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        KnownOptions.require(uri, OPTIONS);
        return new IgtlSource(uri);
    }
}
