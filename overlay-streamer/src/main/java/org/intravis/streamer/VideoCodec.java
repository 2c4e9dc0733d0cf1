package org.intravis.streamer;

import org.intravis.pipeline.PixelFormat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR0;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

/**
 * The video codecs a recording or an export can be written with, all in FFmpeg's LGPL build that the default build
 * bundles (its H.264 is OpenH264; the -Pgpl build's FFmpeg has libx264, which then takes over). Measured at
 * 1920x1080 grey ultrasound on the 2-core development machine (README, "Recording"): ffvhuff is the only lossless
 * codec that keeps up with 30 fps there, so it is the default.
 */
public enum VideoCodec {
    /** Huffyuv (FFmpeg variant): lossless, intra-only, fast; large files. Grey stays grey, colour is RGB. */
    FFVHUFF("ffvhuff", "ffvhuff", true),
    /** FFV1 level 3: lossless, intra-only, about 40 % smaller than ffvhuff but several times slower. */
    FFV1("ffv1", "ffv1", true),
    /** Motion JPEG at the finest quantiser: visually lossless, intra-only, a third of ffvhuff's size. */
    MJPEG("mjpeg", "mjpeg", false),
    /**
     * H.264: lossy at a high bit rate; the smallest files and the most players. Encoded by the best software encoder
     * FFmpeg has ({@link AvVideoEncoder#bestSoftwareH264}): libx264 in the -Pgpl build, OpenH264 otherwise.
     */
    H264("h264", null, false);

    /** Other names {@link #byName} takes for {@link #H264}: its encoders'. */
    private static final List<String> H264_ENCODERS = List.of(AvVideoEncoder.H264_FALLBACK, "libx264");

    private final String configName;
    private final String encoderName;
    private final boolean lossless;

    VideoCodec(String configName, String encoderName, boolean lossless) {
        this.configName = configName;
        this.encoderName = encoderName;
        this.lossless = lossless;
    }

    /** The name used in configuration and manifests ({@code ffvhuff}, {@code ffv1}, {@code mjpeg}, {@code h264}). */
    public String configName() { return configName; }

    /** The FFmpeg encoder (for {@link #H264}, the one this FFmpeg build has: loads FFmpeg's natives). */
    public String encoderName() { return this == H264 ? AvVideoEncoder.bestSoftwareH264() : encoderName; }

    public boolean lossless() { return lossless; }

    /** The FFmpeg pixel format frames are encoded in, for frames of {@code format}. */
    int encodedPixelFormat(PixelFormat format) {
        boolean grey = format == PixelFormat.GRAY8;
        return switch (this) {
            case FFVHUFF -> grey ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24;
            case FFV1 -> grey ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_BGR0;
            case MJPEG, H264 -> AV_PIX_FMT_YUV420P;
        };
    }

    /** Whether the codec needs even picture sizes (4:2:0 chroma). */
    boolean needsEvenSize() {
        return this == MJPEG || this == H264;
    }

    public static VideoCodec byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (VideoCodec c : values()) {
            if (c.configName.equals(n) || n.equals(c.encoderName) || c == H264 && H264_ENCODERS.contains(n)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown video codec '" + name + "' (use one of "
                + String.join(", ", Arrays.stream(values()).map(VideoCodec::configName).toList()) + ")");
    }
}
