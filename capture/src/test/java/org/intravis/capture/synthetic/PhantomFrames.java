package org.intravis.capture.synthetic;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;

/** Test helpers: open a synthetic source from a URI and read frames out as arrays. */
final class PhantomFrames {
    private PhantomFrames() {
    }

    static SyntheticSource open(String uri) throws CaptureException {
        FrameSource fs = FrameSources.create(uri);
        SyntheticSource s = (SyntheticSource) fs;
        s.open();
        return s;
    }

    static FrameSlot slotFor(FrameSource s) {
        return new FrameSlot(0, s.geometry(), s.providesGroundTruth());
    }

    static byte[] pixels(FrameSlot slot) {
        byte[] b = new byte[slot.frameBytes()];
        slot.pixels().get(0, b, 0, b.length);
        return b;
    }

    static byte[] labels(FrameSlot slot) {
        int n = slot.groundTruth().width() * slot.groundTruth().height();
        byte[] b = new byte[n];
        System.arraycopy(slot.groundTruth().labels(), 0, b, 0, n);
        return b;
    }
}
