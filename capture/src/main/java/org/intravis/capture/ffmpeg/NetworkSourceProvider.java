package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/**
 * Network streams read through FFmpeg ({@link LiveSource}): {@code rtsp://}, {@code rtsps://}, {@code srt://},
 * {@code udp://}, {@code rtp://}, {@code http://}, {@code https://}, {@code rtmp://}, {@code rtmps://},
 * {@code tcp://}. Query keys intravis does not read stay in the URL for FFmpeg (e.g. SRT's {@code mode=caller}).
 */
public final class NetworkSourceProvider implements FrameSourceProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("rtsp", "rtsps", "srt", "udp", "rtp", "http", "https", "rtmp", "rtmps", "tcp");
    }

    @Override
    public String usage() {
        return "rtsp|rtsps|srt|udp|rtp|http|https|rtmp|rtmps|tcp://ADDRESS[?timeoutMs=3000&transport=tcp"
                + "&format=gray|bgr&width=W&height=H&lowLatency=true&av.OPTION=VALUE]"
                + "  live network stream through FFmpeg, reconnects by itself";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        if (!uri.location().startsWith("//")) {
            throw new IllegalArgumentException("network source '" + uri.redacted() + "' should look like "
                    + uri.scheme() + "://HOST:PORT");
        }
        return new LiveSource(uri);
    }
}
