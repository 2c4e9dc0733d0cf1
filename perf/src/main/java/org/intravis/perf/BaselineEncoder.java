package org.intravis.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PipelineClock;
import org.intravis.streamer.AvVideoEncoder;
import org.intravis.streamer.Encoding;
import org.intravis.streamer.FrameHeader;
import org.intravis.streamer.StreamerSettings;

/**
 * The naive baseline's video step: the very encoder the pipeline uses, producing the same protocol message
 * (docs/protocol.md, type 1), but the way straightforward code would: a new array per frame, no pooling.
 */
final class BaselineEncoder implements AutoCloseable {
    private final AvVideoEncoder encoder;
    private final Encoding encoding;
    private long sequence;
    private boolean first = true;

    /**
     * @param encoding {@code h264} or {@code jpeg}
     * @param settings the streamer's settings, concluded
     */
    public BaselineEncoder(String encoding, StreamerSettings settings, double fps) {
        this.encoding = Encoding.parse(encoding);
        this.encoder = new AvVideoEncoder(this.encoding, settings, fps);
    }

    /**
     * Encodes the frame in {@code slot} (pixels at {@code pixels}) and returns the whole video message: header
     * (frame id, capture time, the attached annotations' frame id) and payload. Null when the encoder held it back.
     */
    public byte[] encode(FrameSlot slot, BytePointer pixels, Annotations attached) {
        int n = encoder.encode(pixels, slot.width(), slot.height(), slot.stride(),
                AvVideoEncoder.avPixelFormat(slot.format()), first);
        first = false;
        if (n < 0) {
            return null;
        }
        ByteBuf msg = Unpooled.buffer(FrameHeader.LENGTH + n);
        boolean known = attached.status() != Annotations.Status.NONE;
        int flags = (encoder.packetKey() ? FrameHeader.FLAG_KEY : 0)
                | (attached.status() == Annotations.Status.VALID ? FrameHeader.FLAG_OVERLAY_FRESH : 0);
        FrameHeader.write(msg, encoding, flags, slot.frameId(), slot.captureEpochMicros(),
                PipelineClock.epochMicrosNow(), sequence++, encoder.width(), encoder.height(),
                known ? attached.frameId() : -1, known ? 0 : -1, FrameHeader.overlayStatus(attached.status()),
                known ? attached.alertLevel() : 0);
        msg.writeBytes(encoder.packetBytes());
        return msg.array();
    }

    @Override
    public void close() {
        encoder.close();
    }
}
