package org.intravis.streamer;

import io.netty.buffer.ByteBuf;

/**
 * A small JSON writer straight into a Netty buffer: numbers are formatted digit by digit and strings escaped on
 * the fly, so an overlay message costs no allocation beyond its (pooled) buffer. Commas are placed by tracking,
 * per nesting level, whether the next value is the first. Not thread-safe: one per producing thread.
 */
final class JsonOut {
    private static final int MAX_DEPTH = 16;
    private static final long[] POW10 = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000};
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final boolean[] first = new boolean[MAX_DEPTH];
    private int depth;
    private ByteBuf out;

    /** Starts writing into {@code buf} (at its writer index). */
    JsonOut reset(ByteBuf buf) {
        out = buf;
        depth = 0;
        first[0] = true;
        return this;
    }

    private void separate() {
        if (depth > 0) {
            if (!first[depth]) {
                out.writeByte(',');
            }
            first[depth] = false;
        }
    }

    JsonOut beginObject() {
        separate();
        out.writeByte('{');
        push();
        return this;
    }

    JsonOut endObject() {
        depth--;
        out.writeByte('}');
        return this;
    }

    JsonOut beginArray() {
        separate();
        out.writeByte('[');
        push();
        return this;
    }

    JsonOut endArray() {
        depth--;
        out.writeByte(']');
        return this;
    }

    private void push() {
        if (++depth >= MAX_DEPTH) {
            throw new IllegalStateException("JSON nested too deeply");
        }
        first[depth] = true;
    }

    /** Writes a field name; the next value call writes its value (without a comma). */
    JsonOut name(String name) {
        separate();
        writeString(name);
        out.writeByte(':');
        first[depth] = true; // the value that follows must not add a comma
        return this;
    }

    private void afterName() {
        first[depth] = false;
    }

    JsonOut string(String s) {
        valuePrefix();
        if (s == null) {
            writeAscii("null");
        } else {
            writeString(s);
        }
        return this;
    }

    JsonOut number(long v) {
        valuePrefix();
        writeLong(v);
        return this;
    }

    /** A float with a fixed number of decimals (0..6); NaN and infinities are written as null. */
    JsonOut number(double v, int decimals) {
        valuePrefix();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            writeAscii("null");
            return this;
        }
        long scale = POW10[decimals];
        long scaled = Math.round(Math.abs(v) * scale);
        if (v < 0 && scaled != 0) {
            out.writeByte('-');
        }
        writeLong(scaled / scale);
        if (decimals > 0) {
            out.writeByte('.');
            long frac = scaled % scale;
            for (long p = scale / 10; p > 0; p /= 10) {
                out.writeByte('0' + (int) (frac / p % 10));
            }
        }
        return this;
    }

    JsonOut bool(boolean b) {
        valuePrefix();
        writeAscii(b ? "true" : "false");
        return this;
    }

    JsonOut nullValue() {
        valuePrefix();
        writeAscii("null");
        return this;
    }

    // value in an array gets a comma; value after a name does not
    private void valuePrefix() {
        if (depth > 0 && !first[depth]) {
            out.writeByte(',');
        }
        afterName();
    }

    // ---- shorthand for "name": value ----
    JsonOut field(String name, String value) { return name(name).string(value); }
    JsonOut field(String name, long value) { return name(name).number(value); }
    JsonOut field(String name, double value, int decimals) { return name(name).number(value, decimals); }
    JsonOut field(String name, boolean value) { return name(name).bool(value); }

    private void writeLong(long v) {
        if (v == Long.MIN_VALUE) {
            writeAscii("-9223372036854775808");
            return;
        }
        if (v < 0) {
            out.writeByte('-');
            v = -v;
        }
        if (v < 10) {
            out.writeByte('0' + (int) v);
            return;
        }
        long p = 1;
        while (p <= v / 10) {
            p *= 10;
        }
        for (; p > 0; p /= 10) {
            out.writeByte('0' + (int) (v / p % 10));
        }
    }

    private void writeAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            out.writeByte(s.charAt(i));
        }
    }

    private void writeString(String s) {
        out.writeByte('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.writeByte('\\').writeByte(c);
            } else if (c < 0x20) {
                out.writeByte('\\').writeByte('u').writeByte('0').writeByte('0')
                        .writeByte(HEX[c >> 4]).writeByte(HEX[c & 15]);
            } else if (c < 0x80) {
                out.writeByte(c);
            } else if (c < 0x800) {
                out.writeByte(0xc0 | (c >> 6)).writeByte(0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.writeByte(0xf0 | (cp >> 18)).writeByte(0x80 | ((cp >> 12) & 0x3f))
                        .writeByte(0x80 | ((cp >> 6) & 0x3f)).writeByte(0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                out.writeByte('?');
            } else {
                out.writeByte(0xe0 | (c >> 12)).writeByte(0x80 | ((c >> 6) & 0x3f)).writeByte(0x80 | (c & 0x3f));
            }
        }
        out.writeByte('"');
    }
}
