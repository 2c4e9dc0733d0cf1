package org.intravis.inference;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.SourceStatus;

/** A paced {@link FrameSource} over a {@link Phantom} whose needle advances a little every frame. */
final class PhantomSource implements FrameSource {
    private final Phantom phantom;
    private final double fps;
    private long next;
    private long frames;
    private volatile SourceStatus status = SourceStatus.IDLE;

    PhantomSource(Phantom phantom, double fps) {
        this.phantom = phantom;
        this.fps = fps;
    }

    @Override public String uri() { return "test:phantom"; }
    @Override public void open() { status = SourceStatus.STREAMING; next = System.nanoTime(); }
    @Override public FrameGeometry geometry() { return phantom.geometry(); }
    @Override public boolean providesGroundTruth() { return true; }
    @Override public double nominalFps() { return fps; }
    @Override public double pixelSpacingMm() { return 0.1; }

    @Override
    public Read readInto(FrameSlot slot) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Read.END;
            }
        }
        next += (long) (1e9 / fps);
        phantom.tipX = phantom.width * (0.35 + 0.1 * Math.sin(frames++ / 30.0));
        phantom.render(slot);
        return Read.FRAME;
    }

    @Override public SourceStatus status() { return status; }
    @Override public boolean live() { return false; }
    @Override public void close() { status = SourceStatus.CLOSED; }
}
