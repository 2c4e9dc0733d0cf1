package org.intravis.perf;

import org.intravis.capture.FrameSources;
import org.intravis.capture.synthetic.SyntheticSource;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.GroundTruth;
import org.intravis.pipeline.Modality;
import org.intravis.pipeline.PixelFormat;

/**
 * A synthetic phantom's first frames (pixels and ground truth), rendered once before a run and then replayed in a
 * loop. Rendering the ultrasound phantom costs about 10 ms of CPU per frame here, work a capture card does in
 * hardware; replaying rendered frames keeps that cost out of the system under test while the frames (and their
 * ground truth) stay the real phantom's. Shared read-only by every stream of a run.
 * <p>
 * In live mode ({@link #live}) each stream instead renders every frame on its capture thread, as
 * {@code intravis run} does with a {@code synthetic:} source: the phantom's cost is then part of the measurement.
 */
final class FrameLoop {
    private final String uri;
    private final FrameGeometry geometry;
    private final double fps;
    private final double pixelSpacingMm;
    private final Modality modality;
    private final byte[][] pixels;
    private final GroundTruth[] truth;
    private final SyntheticSource live;

    private FrameLoop(String uri, FrameGeometry geometry, double fps, double pixelSpacingMm, Modality modality,
                      byte[][] pixels, GroundTruth[] truth, SyntheticSource live) {
        this.uri = uri;
        this.geometry = geometry;
        this.fps = fps;
        this.pixelSpacingMm = pixelSpacingMm;
        this.modality = modality;
        this.pixels = pixels;
        this.truth = truth;
        this.live = live;
    }

    /** Frames rendered as they are read (each stream gets its own renderer through {@link #forStream()}). */
    static FrameLoop live(String uri) throws CaptureException {
        SyntheticSource source = open(uri);
        return new FrameLoop(uri, source.geometry(), source.nominalFps(), source.pixelSpacingMm(), source.modality(), null, null,
                source);
    }

    private static SyntheticSource open(String uri) throws CaptureException {
        FrameSource created = FrameSources.create(uri);
        if (!(created instanceof SyntheticSource source)) {
            created.close();
            throw new IllegalArgumentException("the harness feeds synthetic phantoms only, not " + uri);
        }
        source.open();
        return source;
    }

    /** What one stream reads: this (replayed frames are shared), or a renderer of its own in live mode. */
    FrameLoop forStream() throws CaptureException {
        return live == null ? this : live(uri);
    }

    boolean rendersLive() {
        return live != null;
    }

    /** Renders {@code frames} frames of a {@code synthetic:} source. */
    static FrameLoop render(String uri, int frames) throws CaptureException {
        SyntheticSource source = open(uri);
        try {
            FrameGeometry g = source.geometry();
            FrameSlot slot = new FrameSlot(0, g, true);
            int bytes = g.maxFrameBytes();
            byte[][] px = new byte[frames][bytes];
            GroundTruth[] gt = new GroundTruth[frames];
            for (int i = 0; i < frames; i++) {
                source.renderFrame(i, slot);
                slot.pixels().get(0, px[i], 0, bytes);
                gt[i] = new GroundTruth(g.maxWidth() * g.maxHeight());
                gt[i].copyFrom(slot.groundTruth());
            }
            return new FrameLoop(uri, g, source.nominalFps(), source.pixelSpacingMm(), source.modality(), px, gt,
                    null);
        } finally {
            source.close();
        }
    }

    String uri() { return uri; }
    FrameGeometry geometry() { return geometry; }
    double fps() { return fps; }
    double pixelSpacingMm() { return pixelSpacingMm; }
    Modality modality() { return modality; }
    int frames() { return pixels == null ? 0 : pixels.length; }

    /** Copies frame {@code index} (modulo the loop) into a slot, as the phantom itself would write it. */
    void copyInto(long index, FrameSlot slot) {
        if (live != null) {
            live.renderFrame(index, slot);
            return;
        }
        int i = (int) (index % pixels.length);
        int w = geometry.maxWidth();
        int h = geometry.maxHeight();
        slot.frame(w, h, w, PixelFormat.GRAY8);
        slot.pixels().put(0, pixels[i], 0, w * h);
        if (slot.groundTruth().capacity() >= w * h) {
            slot.groundTruth().copyFrom(truth[i]);
        }
        slot.sourcePtsMicros(Math.round(index * 1e6 / fps));
    }
}
