package org.intravis.ui;

import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.testing.StandInSource;

import java.nio.ByteBuffer;

/**
 * Test fixture source ({@code testpattern:?width=W&height=H&fps=F&period=S}): a speckled grey background with a
 * bright needle from a fixed entry point to a tip that follows {@link NeedlePath}, paced in real time (catching up at
 * most one frame after a stall). It remembers the frame number and time of its newest frame so that
 * {@link FixtureAnnotator} can stand in for inference.
 */
final class TestPatternSource extends StandInSource {
    final NeedlePath path;
    private final byte[] background;

    TestPatternSource(String uri, int width, int height, double fps, double period) {
        this(uri, width, height, fps, period, null);
    }

    /**
     * @param image an image file to use as the background (grey, scaled to fit and centred), e.g. a real
     *              ultrasound frame for bandwidth measurements; null for the synthetic speckle
     */
    TestPatternSource(String uri, int width, int height, double fps, double period, java.nio.file.Path image) {
        super(uri, new FrameGeometry(width, height, PixelFormat.GRAY8), fps);
        catchUp(1);
        this.path = new NeedlePath(width, height, fps, period);
        background = new byte[width * height];
        if (image != null) {
            loadBackground(image, width, height);
            return;
        }
        java.util.Random r = new java.util.Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = 40 + (int) (30 * Math.sin(x / 23.0) * Math.cos(y / 31.0)) + r.nextInt(24);
                background[y * width + x] = (byte) Math.max(0, Math.min(255, v));
            }
        }
    }

    private void loadBackground(java.nio.file.Path image, int width, int height) {
        org.bytedeco.opencv.opencv_core.Mat src = org.bytedeco.opencv.global.opencv_imgcodecs.imread(image.toString(),
                org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE);
        if (src.empty()) {
            throw new IllegalArgumentException("cannot read background image " + image);
        }
        double scale = Math.min(width / (double) src.cols(), height / (double) src.rows());
        int w = (int) Math.round(src.cols() * scale);
        int h = (int) Math.round(src.rows() * scale);
        org.bytedeco.opencv.opencv_core.Mat scaled = new org.bytedeco.opencv.opencv_core.Mat();
        org.bytedeco.opencv.global.opencv_imgproc.resize(src, scaled, new org.bytedeco.opencv.opencv_core.Size(w, h));
        byte[] row = new byte[w];
        int ox = (width - w) / 2;
        int oy = (height - h) / 2;
        for (int y = 0; y < h; y++) {
            scaled.ptr(y).get(row);
            System.arraycopy(row, 0, background, (oy + y) * width + ox, w);
        }
    }

    /** What the newest frame shows (null before the first). */
    TruthSample latest() {
        long f = latestFrame();
        return f < 0 ? null : new TruthSample(f, latestNanos(), true, path.tipX(f), path.tipY(f), path.entryX(),
                path.entryY());
    }

    /** The picture of frame {@code id}, as {@link #paint} draws it (width x height grey bytes). */
    byte[] picture(long id) {
        ByteBuffer px = ByteBuffer.allocate(path.width() * path.height());
        draw(px, id);
        return px.array();
    }

    @Override
    protected void paint(FrameSlot slot, long id) {
        slot.frame(path.width(), path.height(), path.width(), PixelFormat.GRAY8);
        ByteBuffer px = slot.pixels();
        px.clear();
        draw(px, id);
    }

    private void draw(ByteBuffer px, long id) {
        int w = path.width();
        int h = path.height();
        // the background drifts a little every frame, so consecutive frames always differ
        int shift = (int) (id % 16);
        px.put(background, shift * w, (h - shift) * w).put(background, 0, shift * w);
        drawNeedle(px, w, h, path.entryX(), path.entryY(), path.tipX(id), path.tipY(id));
    }

    private static void drawNeedle(ByteBuffer px, int w, int h, float x0, float y0, float x1, float y1) {
        int steps = (int) Math.ceil(Math.hypot(x1 - x0, y1 - y0));
        for (int i = 0; i <= steps; i++) {
            float t = steps == 0 ? 0 : (float) i / steps;
            int cx = Math.round(x0 + (x1 - x0) * t);
            int cy = Math.round(y0 + (y1 - y0) * t);
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = cx + dx;
                    int y = cy + dy;
                    if (x >= 0 && y >= 0 && x < w && y < h) {
                        px.put(y * w + x, (byte) 240);
                    }
                }
            }
        }
    }
}
