package org.intravis.perf;

import org.intravis.capture.FrameSources;
import org.intravis.capture.synthetic.SyntheticSource;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Real phantom frames (pixels and ground truth) for the microbenchmarks' inputs, rendered at set-up. */
public final class PhantomFrames {
    private PhantomFrames() {
    }

    /** {@code count} consecutive frames of the {@code kind} phantom ({@code ultrasound}, {@code fluoroscopy}). */
    public static List<FrameSlot> render(String kind, int width, int height, int count) {
        String uri = String.format(Locale.ROOT, "synthetic:%s?width=%d&height=%d&pace=fast", kind, width, height);
        SyntheticSource source = (SyntheticSource) FrameSources.create(uri);
        try {
            source.open();
            List<FrameSlot> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                FrameSlot slot = new FrameSlot(i, source.geometry(), true);
                source.renderFrame(i, slot);
                out.add(slot);
            }
            return out;
        } catch (CaptureException e) {
            throw new IllegalStateException(e);
        } finally {
            source.close();
        }
    }

    /** Parses {@code WIDTHxHEIGHT}. */
    public static int[] size(String resolution) {
        String[] wh = resolution.split("x");
        return new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])};
    }
}
