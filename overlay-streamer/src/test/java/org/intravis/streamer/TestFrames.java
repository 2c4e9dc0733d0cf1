package org.intravis.streamer;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.testing.StandInSource;

import java.nio.ByteBuffer;

/** A small ring of real frame slots filled with a moving pattern, for driving a publisher directly. */
final class TestFrames {
    final int width;
    final int height;
    private final FrameSlot[] slots;
    private long frameId;

    TestFrames(int width, int height, int ringSize) {
        this.width = width;
        this.height = height;
        slots = new FrameSlot[ringSize];
        for (int i = 0; i < ringSize; i++) {
            slots[i] = new FrameSlot(i, new FrameGeometry(width, height, PixelFormat.GRAY8), false);
        }
    }

    /** The next frame: pattern drawn, identity and capture stamp set, as the capture agent would. */
    FrameSlot next() {
        long id = frameId++;
        FrameSlot s = slots[(int) (id % slots.length)];
        s.beginWrite();
        s.frame(width, height, width, PixelFormat.GRAY8);
        draw(s.pixels(), id, width, height);
        s.captured(0, id, id, System.nanoTime());
        s.endWrite();
        return s;
    }

    /**
     * A live-like source of these patterns paced at {@code fps}: the streamer's tests stand it in for the capture
     * module's sources, so they do not depend on another module's progress.
     */
    static StandInSource source(int width, int height, double fps) {
        return new StandInSource("test:pattern", new FrameGeometry(width, height, PixelFormat.GRAY8), fps, (slot, n) -> {
            slot.frame(width, height, width, PixelFormat.GRAY8);
            draw(slot.pixels(), n, width, height);
        });
    }

    static void draw(ByteBuffer px, long t, int w, int h) {
        int sx = (int) ((t * 5) % Math.max(1, w - 30));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = 50 + ((x * 3 + y * 2 + (int) t) & 63);
                if (x >= sx && x < sx + 30 && y >= h / 3 && y < h / 3 + 30) {
                    v = 235;
                }
                px.put(y * w + x, (byte) v);
            }
        }
    }
}
