package org.intravis.streamer;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

/** Decodes H.264 Annex-B access units with FFmpeg's own decoder, in low-delay mode (what a browser does). */
final class H264TestDecoder implements AutoCloseable {
    private final AVCodecContext ctx;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame frame = av_frame_alloc();

    H264TestDecoder() {
        AVCodec codec = avcodec_find_decoder(AV_CODEC_ID_H264);
        ctx = avcodec_alloc_context3(codec);
        ctx.thread_count(1);
        ctx.flags(ctx.flags() | AV_CODEC_FLAG_LOW_DELAY);
        if (avcodec_open2(ctx, codec, (PointerPointer<?>) null) < 0) {
            throw new IllegalStateException("cannot open the H.264 decoder");
        }
    }

    /** Decoded picture: luma plane (width x height, tightly packed). */
    record Picture(int width, int height, byte[] luma, boolean key) {
    }

    /** Feeds one access unit; returns the picture it yields at once, or null when the decoder held it back. */
    Picture decode(byte[] accessUnit) {
        BytePointer data = new BytePointer(av_malloc(accessUnit.length + AV_INPUT_BUFFER_PADDING_SIZE));
        data.put(accessUnit, 0, accessUnit.length);
        av_packet_unref(packet);
        if (av_packet_from_data(packet, data, accessUnit.length) < 0) {
            throw new IllegalStateException("av_packet_from_data failed");
        }
        int r = avcodec_send_packet(ctx, packet);
        if (r < 0) {
            throw new IllegalStateException("decoder refused the access unit: " + EncoderBuffers.error(r));
        }
        r = avcodec_receive_frame(ctx, frame);
        if (r < 0) {
            return null;
        }
        int w = frame.width();
        int h = frame.height();
        byte[] luma = new byte[w * h];
        BytePointer y = frame.data(0);
        int stride = frame.linesize(0);
        for (int row = 0; row < h; row++) {
            y.position((long) row * stride).get(luma, row * w, w);
        }
        boolean key = (frame.flags() & 2) != 0; // AV_FRAME_FLAG_KEY
        av_frame_unref(frame);
        return new Picture(w, h, luma, key);
    }

    /** Whether the decoder reported a decoding error while it ran (concealment). */
    int decodeErrorFlags() {
        return frame.decode_error_flags();
    }

    @Override
    public void close() {
        av_frame_free(frame);
        av_packet_free(packet);
        avcodec_free_context(ctx);
    }
}
