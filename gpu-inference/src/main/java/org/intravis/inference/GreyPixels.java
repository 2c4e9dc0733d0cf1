package org.intravis.inference;

import java.nio.ByteBuffer;

/**
 * A view of a frame's 8-bit pixels (grey, or BGR read as the mean of its channels) for sampling at sub-pixel
 * positions: the live path points it at a ring slot's memory, evaluation at a decoded image. Nothing is copied and
 * nothing allocated; one instance per thread. Positions outside the frame read as {@link #OUTSIDE}.
 */
public final class GreyPixels {
    /** What {@link #sample} returns off the frame. */
    public static final float OUTSIDE = Float.NaN;
    private ByteBuffer pixels;
    private int width;
    private int height;
    private int stride;
    private int bytesPerPixel;

    /** Points this view at {@code pixels} (row {@code y} starts at {@code y * stride}); returns it. */
    public GreyPixels wrap(ByteBuffer pixels, int width, int height, int stride, int bytesPerPixel) {
        if (bytesPerPixel != 1 && bytesPerPixel != 3) {
            throw new IllegalArgumentException("grey or BGR pixels only, not " + bytesPerPixel + " bytes per pixel");
        }
        if ((long) stride * (height - 1) + (long) width * bytesPerPixel > pixels.capacity()) {
            throw new IllegalArgumentException("a " + width + "x" + height + " frame does not fit its buffer");
        }
        this.pixels = pixels;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.bytesPerPixel = bytesPerPixel;
        return this;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The grey value at (x, y), pixel centres at whole numbers, bilinear; {@link #OUTSIDE} off the frame. */
    public float sample(double x, double y) {
        if (!(x >= 0 && y >= 0 && x <= width - 1 && y <= height - 1)) {
            return OUTSIDE;
        }
        int x0 = Math.min((int) x, width - 2 < 0 ? 0 : width - 2);
        int y0 = Math.min((int) y, height - 2 < 0 ? 0 : height - 2);
        float fx = (float) (x - x0);
        float fy = (float) (y - y0);
        int x1 = Math.min(x0 + 1, width - 1);
        int y1 = Math.min(y0 + 1, height - 1);
        float top = grey(x0, y0) * (1 - fx) + grey(x1, y0) * fx;
        float bottom = grey(x0, y1) * (1 - fx) + grey(x1, y1) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    /** The grey value of the pixel at whole-number (x, y), which must lie on the frame. */
    float grey(int x, int y) {
        int i = y * stride + x * bytesPerPixel;
        if (bytesPerPixel == 1) {
            return pixels.get(i) & 0xFF;
        }
        return ((pixels.get(i) & 0xFF) + (pixels.get(i + 1) & 0xFF) + (pixels.get(i + 2) & 0xFF)) / 3f;
    }
}
