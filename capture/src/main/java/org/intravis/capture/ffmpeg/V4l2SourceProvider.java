package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code v4l2:/dev/videoN}: a capture card (HDMI/SDI grabber, USB video) through FFmpeg's v4l2 input
 * ({@link LiveSource}); it recovers by itself when the card is unplugged and plugged back in.
 */
public final class V4l2SourceProvider implements FrameSourceProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("v4l2");
    }

    @Override
    public String usage() {
        return "v4l2:/dev/videoN[?width=1920&height=1080&fps=60&inputFormat=mjpeg&pixelFormat=yuyv422"
                + "&standard=PAL&pixelAspect=16:15&format=gray|bgr&timeoutMs=3000]"
                + "  capture card through FFmpeg's v4l2 input";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        if (!uri.location().startsWith("/")) {
            throw new IllegalArgumentException("v4l2 source '" + uri.redacted() + "' needs a device path, e.g. v4l2:/dev/video0");
        }
        Map<String, String> own = new LinkedHashMap<>(uri.options());
        own.keySet().removeIf(k -> k.startsWith(LiveInputOptions.PASS_THROUGH_PREFIX));
        Set<String> known = new HashSet<>(LiveInputOptions.INTRAVIS_KEYS);
        KnownOptions.require(new SourceUri(uri.raw(), uri.scheme(), uri.location(), own), known);
        return new LiveSource(uri);
    }
}
