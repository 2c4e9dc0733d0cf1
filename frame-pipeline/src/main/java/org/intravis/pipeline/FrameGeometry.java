package org.intravis.pipeline;

/**
 * The largest frame a stream will deliver: slots are sized for it once, at start-up.
 *
 * @param maxWidth  widest frame in pixels
 * @param maxHeight tallest frame in pixels
 * @param format    pixel layout of every frame of the stream
 */
public record FrameGeometry(int maxWidth, int maxHeight, PixelFormat format) {
    public FrameGeometry {
        if (maxWidth <= 0 || maxHeight <= 0) {
            throw new IllegalArgumentException("frame size must be positive: " + maxWidth + "x" + maxHeight);
        }
        if (format == null) {
            throw new IllegalArgumentException("pixel format is required");
        }
    }

    /** Bytes needed for the largest frame with tightly packed rows. */
    public int maxFrameBytes() {
        return Math.multiplyExact(Math.multiplyExact(maxWidth, maxHeight), format.bytesPerPixel());
    }
}
