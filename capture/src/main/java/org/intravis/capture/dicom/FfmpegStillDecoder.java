package org.intravis.capture.dicom;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.opencv.opencv_core.Mat;

import java.nio.ByteBuffer;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_new_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

/**
 * Decodes one compressed picture at a time with an FFmpeg image decoder (JPEG 2000, JPEG-LS, lossless JPEG: the
 * DICOM syntaxes OpenCV's decoders do not read) into a BGR picture. One decoder per file: each frame is a packet of
 * its own, and the decoder is flushed between them.
 */
final class FfmpegStillDecoder implements AutoCloseable {
    private final AVCodecContext context;
    private final AVPacket packet;
    private final AVFrame frame;
    private final String name;
    private byte[] copy = new byte[0];
    private SwsContext sws;
    private int swsW = -1;
    private int swsH = -1;
    private int swsFormat = -1;

    /** @param codecId an {@code AV_CODEC_ID_*} of libavcodec */
    FfmpegStillDecoder(int codecId, String name) {
        this.name = name;
        AVCodec codec = avcodec_find_decoder(codecId);
        if (codec == null) {
            throw new DicomFormatException("needs FFmpeg's " + name + " decoder, which this build lacks");
        }
        context = avcodec_alloc_context3(codec);
        context.thread_count(1);
        if (avcodec_open2(context, codec, (AVDictionary) null) < 0) {
            avcodec_free_context(context);
            throw new DicomFormatException("could not open FFmpeg's " + name + " decoder");
        }
        packet = av_packet_alloc();
        frame = av_frame_alloc();
    }

    /**
     * Decodes {@code data} into {@code bgr} (CV_8UC3, the picture's size, with memory to spare after its last row:
     * swscale may write past it); false when it is not a picture.
     */
    boolean decode(ByteBuffer data, Mat bgr) {
        int n = data.remaining();
        if (av_new_packet(packet, n) < 0) {
            return false;
        }
        if (copy.length < n) {
            copy = new byte[n];
        }
        data.duplicate().get(copy, 0, n);
        packet.data().put(copy, 0, n);
        try {
            avcodec_flush_buffers(context);
            if (avcodec_send_packet(context, packet) < 0) {
                return false;
            }
            avcodec_send_packet(context, (AVPacket) null); // end of this "stream": the picture comes out now
            if (avcodec_receive_frame(context, frame) < 0) {
                return false;
            }
            try {
                if (frame.width() != bgr.cols() || frame.height() != bgr.rows()) {
                    return false;
                }
                scale(bgr);
                return true;
            } finally {
                av_frame_unref(frame);
            }
        } finally {
            org.bytedeco.ffmpeg.global.avcodec.av_packet_unref(packet);
            avcodec_flush_buffers(context);
        }
    }

    private void scale(Mat bgr) {
        int w = frame.width();
        int h = frame.height();
        int f = frame.format();
        if (sws == null || w != swsW || h != swsH || f != swsFormat) {
            if (sws != null) {
                sws_freeContext(sws);
            }
            sws = sws_getContext(w, h, f, w, h, AV_PIX_FMT_BGR24, SWS_BILINEAR, null, null, (DoublePointer) null);
            if (sws == null) {
                throw new DicomFormatException("FFmpeg's " + name + " decoder gave pixel format " + f
                        + ", which cannot be converted");
            }
            swsW = w;
            swsH = h;
            swsFormat = f;
        }
        try (PointerPointer<BytePointer> dst = new PointerPointer<>(1);
             IntPointer dstStride = new IntPointer(1)) {
            dst.put(0, bgr.data());
            dstStride.put(0, (int) bgr.step());
            sws_scale(sws, frame.data(), frame.linesize(), 0, h, dst, dstStride);
        }
    }

    @Override
    public void close() {
        if (sws != null) {
            sws_freeContext(sws);
            sws = null;
        }
        av_frame_free(frame);
        av_packet_free(packet);
        avcodec_free_context(context);
    }
}
