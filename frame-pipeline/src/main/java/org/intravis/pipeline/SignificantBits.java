package org.intravis.pipeline;

/**
 * Reads 16-bit grey pictures as 8-bit by the bits they use. Medical exports often keep a 12-bit detector's or a
 * scanner's values as they are in a 16-bit PNG or TIFF (0..4095), or 8-bit values unscaled (0..255); read as 16-bit
 * (the top 8 bits) those are nearly or wholly black, and the model finds nothing without saying why. The depth is
 * the smallest of 8, 10, 12, 14 or 16 bits that holds the picture's largest value, and it never falls for a source
 * (a dark frame of a 12-bit sequence stays 12-bit, not four times brighter); a 16-bit picture that uses all 16 bits
 * reads as before. Used where capture converts decoded pictures (an image folder's PNGs and TIFFs, any 16-bit grey
 * video) and by the evaluation alike, so that both see the same pixels.
 * Not thread-safe: one per source.
 */
public final class SignificantBits {
    private static final int[] DEPTHS = {8, 10, 12, 14, 16};

    private final byte[] table = new byte[1 << 16];
    private int depth; // 0: no picture seen yet

    /** The depth that holds {@code max} (0..65535): the smallest of 8, 10, 12, 14, 16 bits. */
    public static int depthOf(int max) {
        if (max < 0 || max > 0xFFFF) {
            throw new IllegalArgumentException("a 16-bit value is 0..65535, was " + max);
        }
        for (int d : DEPTHS) {
            if (max < 1 << d) {
                return d;
            }
        }
        throw new AssertionError(max);
    }

    /** Takes in a picture's largest value; returns the depth its values are now read at (never less than before). */
    public int see(int max) {
        int d = depthOf(max);
        if (d > depth) {
            depth = d;
            int top = (1 << d) - 1;
            for (int v = 0; v < table.length; v++) {
                table[v] = (byte) ((Math.min(v, top) * 255 + top / 2) / top); // rounded to the nearest
            }
        }
        return depth;
    }

    /** The depth in use: 0 before the first picture. */
    public int depth() {
        return depth;
    }

    /** A 16-bit value (0..65535) as 8 bits at the depth in use; call {@link #see} first. */
    public byte narrow(int value) {
        return table[value];
    }
}
