package org.intravis.capture;

import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;

import java.util.concurrent.TimeUnit;

/** Helpers for driving a source the way the capture agent does. */
public final class Slots {
    private Slots() {
    }

    /** Calls readInto until it returns something other than NONE, or the deadline passes (then NONE). */
    public static FrameSource.Read next(FrameSource source, FrameSlot slot, long maxMillis) throws CaptureException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        while (true) {
            FrameSource.Read r = source.readInto(slot);
            if (r != FrameSource.Read.NONE || System.nanoTime() - deadline > 0) {
                return r;
            }
        }
    }

    /** Mean of the frame's bytes (all rows, packed). */
    public static double mean(FrameSlot slot) {
        long sum = 0;
        int rowBytes = slot.width() * slot.format().bytesPerPixel();
        for (int y = 0; y < slot.height(); y++) {
            for (int x = 0; x < rowBytes; x++) {
                sum += slot.pixels().get(y * slot.stride() + x) & 0xff;
            }
        }
        return (double) sum / ((long) rowBytes * slot.height());
    }
}
