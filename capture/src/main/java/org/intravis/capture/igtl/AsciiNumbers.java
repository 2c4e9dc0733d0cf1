package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

/** Numbers written as ASCII digits straight into a buffer, for text built on the hot path without a String. */
public final class AsciiNumbers {
    private static final long[] POW10 = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000};

    private AsciiNumbers() {
    }

    public static void writeLong(ByteBuf out, long v) {
        if (v == Long.MIN_VALUE) {
            out.writeCharSequence("-9223372036854775808", java.nio.charset.StandardCharsets.US_ASCII);
            return;
        }
        if (v < 0) {
            out.writeByte('-');
            v = -v;
        }
        long div = 1;
        while (div <= v / 10) {
            div *= 10;
        }
        while (div > 0) {
            out.writeByte('0' + (int) (v / div % 10));
            div /= 10;
        }
    }

    /** {@code v} rounded to {@code decimals} (0..6) digits after the point; {@code NaN} and infinities by name. */
    public static void writeDecimal(ByteBuf out, double v, int decimals) {
        if (Double.isNaN(v)) {
            out.writeByte('N').writeByte('a').writeByte('N');
            return;
        }
        if (Double.isInfinite(v)) {
            out.writeByte(v > 0 ? '+' : '-').writeByte('I').writeByte('n').writeByte('f');
            return;
        }
        int d = Math.max(0, Math.min(decimals, POW10.length - 1));
        long scaled = Math.round(Math.abs(v) * POW10[d]);
        if (v < 0 && scaled != 0) {
            out.writeByte('-');
        }
        writeLong(out, scaled / POW10[d]);
        if (d > 0) {
            out.writeByte('.');
            long frac = scaled % POW10[d];
            for (long div = POW10[d - 1]; div > 0; div /= 10) {
                out.writeByte('0' + (int) (frac / div % 10));
            }
        }
    }
}
