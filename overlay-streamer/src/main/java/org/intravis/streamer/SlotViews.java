package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

/**
 * Native views (a JavaCPP pointer, an OpenCV Mat header) over each ring slot's pixel memory, made once per slot
 * and reused for every frame that passes through it, as the slot's index invites. A Mat is remade only when a
 * slot's frame layout changes. Owned by the stream's video thread.
 */
final class SlotViews implements AutoCloseable {
    private BytePointer[] pointers = new BytePointer[16];
    private Mat[] mats = new Mat[16];
    private long[] matLayout = new long[16];

    BytePointer pixels(FrameSlot slot) {
        int i = index(slot);
        BytePointer p = pointers[i];
        if (p == null) {
            // from a duplicate at position 0: the source may have moved the slot buffer's own position
            java.nio.ByteBuffer whole = slot.pixels().duplicate();
            whole.clear();
            p = new BytePointer(whole);
            pointers[i] = p;
        }
        return p;
    }

    /** A Mat header over the slot's current frame (no copy). */
    Mat mat(FrameSlot slot) {
        int i = index(slot);
        long layout = ((long) slot.width() << 40) ^ ((long) slot.height() << 20) ^ slot.stride()
                ^ ((long) slot.format().ordinal() << 62);
        Mat m = mats[i];
        if (m == null || matLayout[i] != layout) {
            if (m != null) {
                m.close();
            }
            int type = slot.format() == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3;
            m = new Mat(slot.height(), slot.width(), type, pixels(slot), slot.stride());
            mats[i] = m;
            matLayout[i] = layout;
        }
        return m;
    }

    private int index(FrameSlot slot) {
        int i = slot.index() + 1; // the capture agent's scratch slot is -1
        if (i < 0) {
            throw new IllegalArgumentException("slot index " + slot.index());
        }
        if (i >= pointers.length) {
            int n = Math.max(i + 1, pointers.length * 2);
            pointers = java.util.Arrays.copyOf(pointers, n);
            mats = java.util.Arrays.copyOf(mats, n);
            matLayout = java.util.Arrays.copyOf(matLayout, n);
        }
        return i;
    }

    @Override
    public void close() {
        for (Mat m : mats) {
            if (m != null) {
                m.close();
            }
        }
        for (BytePointer p : pointers) {
            if (p != null) {
                p.close();
            }
        }
    }
}
