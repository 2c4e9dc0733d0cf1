package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;

import java.nio.ByteBuffer;

/**
 * One entry of the recorder's own buffer ring: a frame's pixels, metadata and the annotations the video branch
 * attached to it, copied out of a ring slot. Allocated once, when recording is first started.
 */
final class RecordedFrameCopy {
    final ByteBuffer pixels;
    final BytePointer pointer;
    final Annotations annotations = new Annotations();
    int session;
    int width;
    int height;
    int stride;
    PixelFormat format;
    long frameId;
    long sourcePtsMicros;
    long captureEpochMicros;
    boolean shown;
    long overlayAgeMillis;
    boolean overlayFresh;

    RecordedFrameCopy(int capacity) {
        pixels = FrameSlot.pixelMemory(capacity); // the encoder's swscale reads it as its source, as a slot
        pointer = new BytePointer(pixels);
    }

    /** Copies the slot (no allocation); the caller checks afterwards that capture did not overwrite it meanwhile. */
    void copyFrom(FrameSlot slot, int sessionNumber) {
        session = sessionNumber;
        width = slot.width();
        height = slot.height();
        stride = slot.stride();
        format = slot.format();
        frameId = slot.frameId();
        sourcePtsMicros = slot.sourcePtsMicros();
        captureEpochMicros = slot.captureEpochMicros();
        shown = slot.videoShown();
        overlayAgeMillis = slot.overlayAgeMillis();
        overlayFresh = slot.overlayFresh();
        int bytes = Math.min(stride * height, Math.min(slot.pixels().capacity(), pixels.capacity()));
        pixels.put(0, slot.pixels(), 0, bytes);
        if (shown) {
            annotations.copyFrom(slot.annotations());
        } else {
            annotations.clear();
        }
    }

    void free() {
        pointer.close();
    }
}
