package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.GroundTruth;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.testing.StandInSource;

/**
 * A synthetic ultrasound-like scene for tests: speckled grey tissue, an anechoic (dark) vessel and a bright
 * needle entering from the left border. Renders grey frames with their ground truth straight into a
 * {@link FrameSlot}, as a synthetic source would.
 */
final class Phantom {
    final int width;
    final int height;
    double vesselX;
    double vesselY;
    double vesselR;
    double entryX;
    double entryY;
    double tipX;
    double tipY;
    double needleHalfWidth = 4;
    /** Black rows at the top and the bottom (a letterboxed capture), 0 for none. */
    int marginRows;
    private final byte[] pixels;

    Phantom(int width, int height) {
        this.width = width;
        this.height = height;
        this.pixels = new byte[width * height];
        vesselX = width * 0.7;
        vesselY = height * 0.6;
        vesselR = height * 0.12;
        entryX = 0;
        entryY = height * 0.15;
        tipX = width * 0.4;
        tipY = height * 0.4;
    }

    FrameGeometry geometry() {
        return new FrameGeometry(width, height, PixelFormat.GRAY8);
    }

    /** A paced, non-live source of this scene whose needle advances and withdraws a little every frame. */
    StandInSource source(double fps) {
        return new StandInSource("test:phantom", geometry(), fps, (slot, n) -> {
            tipX = width * (0.35 + 0.1 * Math.sin(n / 30.0));
            render(slot);
        }).live(false).groundTruth(true).pixelSpacingMm(0.1);
    }

    FrameSlot newSlot(int index) {
        return new FrameSlot(index, geometry(), true);
    }

    /** Renders the scene into {@code slot} (pixels and ground truth); does not stamp it. */
    void render(FrameSlot slot) {
        slot.frame(width, height, width, PixelFormat.GRAY8);
        GroundTruth gt = slot.groundTruth();
        gt.begin(width, height);
        byte[] labels = gt.labels();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int speckle = ((x * 73856093) ^ (y * 19349663)) & 15;
                int v = 70 + speckle;
                byte label = GroundTruth.LABEL_BACKGROUND;
                if (y < marginRows || y >= height - marginRows) {
                    pixels[i] = 0;
                    labels[i] = label;
                    continue;
                }
                double dx = x - vesselX;
                double dy = y - vesselY;
                if (dx * dx + dy * dy <= vesselR * vesselR) {
                    v = 12;
                    label = GroundTruth.LABEL_VESSEL;
                }
                if (PolygonGeometry.pointSegmentDistance(x, y, entryX, entryY, tipX, tipY) <= needleHalfWidth) {
                    v = 245;
                    label = GroundTruth.LABEL_INSTRUMENT;
                }
                pixels[i] = (byte) v;
                labels[i] = label;
            }
        }
        slot.pixels().clear();
        slot.pixels().put(pixels, 0, width * height);
        slot.pixels().clear();
        gt.instrument(Annotations.INSTRUMENT_NEEDLE, (float) entryX, (float) entryY, (float) tipX, (float) tipY);
    }

    /** Offers {@code slot} to {@code feed} as frame {@code frameId}, captured now. */
    static InferenceFeed.Offer offerNow(InferenceFeed feed, FrameSlot slot, long frameId) {
        return feed.offer(slot, capture(slot, frameId, System.nanoTime()));
    }

    /** Marks the slot as captured now (as the capture agent does); returns the version to offer it with. */
    static long capture(FrameSlot slot, long frameId, long capturedNanos) {
        slot.beginWrite();
        slot.captured(0, frameId, frameId, capturedNanos);
        slot.endWrite();
        return slot.writeVersion();
    }
}
