package org.intravis.capture.ffmpeg;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;

import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.av_opt_set_int;
import static org.bytedeco.ffmpeg.global.swscale.sws_alloc_context;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_init_context;

/**
 * The one way capture builds an swscale converter for a decoded picture: with the colour range the decoder put on
 * the frame. A decoder that marks full range there rather than with a yuvj format (VP9) was read as video range by a
 * converter made from the pixel format alone, and its greys stretched; the pictures capture delivers are full range.
 */
public final class Swscale {
    private Swscale() {
    }

    /** Whether the decoder marked {@code frame} as full range. */
    public static boolean fullRange(AVFrame frame) {
        return frame.color_range() == AVCOL_RANGE_JPEG;
    }

    /**
     * A converter from a {@code w x h} picture of pixel format {@code f} ({@code fullRange}: as {@link #fullRange}
     * said) to {@code dstW x dstH} of {@code dstFormat}; null when swscale cannot make it.
     */
    public static SwsContext create(int w, int h, int f, boolean fullRange, int dstW, int dstH, int dstFormat,
                                    int flags) {
        SwsContext sws = sws_alloc_context();
        if (sws == null || sws.isNull()) {
            return null;
        }
        av_opt_set_int(sws, "srcw", w, 0);
        av_opt_set_int(sws, "srch", h, 0);
        av_opt_set_int(sws, "src_format", f, 0);
        av_opt_set_int(sws, "dstw", dstW, 0);
        av_opt_set_int(sws, "dsth", dstH, 0);
        av_opt_set_int(sws, "dst_format", dstFormat, 0);
        av_opt_set_int(sws, "sws_flags", flags, 0);
        if (fullRange) { // set before initialising: swscale chooses its converter from them
            av_opt_set_int(sws, "src_range", 1, 0);
            av_opt_set_int(sws, "dst_range", 1, 0);
        }
        if (sws_init_context(sws, null, null) < 0) {
            sws_freeContext(sws);
            return null;
        }
        return sws;
    }
}
