package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

/**
 * The CRC-64 OpenIGTLink puts in every header: ECMA-182's polynomial 0x42F0E1EBA9EA3693, most significant bit
 * first, initial value 0, no final XOR (the reference library's {@code crc64()} in {@code igtl_util.c}; the check
 * value of "123456789" is 0x6C40DF5F0B497347). Eight bytes per step (slicing by eight): a 1280x720 image body is
 * checked in well under a millisecond, and nothing is allocated.
 */
public final class Crc64 {
    private static final long POLY = 0x42F0E1EBA9EA3693L;
    /** T[k][b]: the CRC of byte b followed by k zero bytes. */
    private static final long[][] T = new long[8][256];

    static {
        for (int b = 0; b < 256; b++) {
            long crc = (long) b << 56;
            for (int bit = 0; bit < 8; bit++) {
                crc = crc < 0 ? (crc << 1) ^ POLY : crc << 1;
            }
            T[0][b] = crc;
        }
        for (int k = 1; k < 8; k++) {
            for (int b = 0; b < 256; b++) {
                long prev = T[k - 1][b];
                T[k][b] = (prev << 8) ^ T[0][(int) (prev >>> 56)];
            }
        }
    }

    private Crc64() {
    }

    /** The CRC of {@code length} bytes of {@code buf} from {@code index} (reader and writer indexes untouched). */
    public static long of(ByteBuf buf, int index, int length) {
        return update(0L, buf, index, length);
    }

    /** Continues {@code crc} over more bytes. */
    public static long update(long crc, ByteBuf buf, int index, int length) {
        int i = index;
        int end = index + length;
        long[] t0 = T[0];
        long[] t1 = T[1];
        long[] t2 = T[2];
        long[] t3 = T[3];
        long[] t4 = T[4];
        long[] t5 = T[5];
        long[] t6 = T[6];
        long[] t7 = T[7];
        while (end - i >= 8) {
            long x = crc ^ buf.getLong(i); // big-endian: the first byte is the most significant
            crc = t7[(int) (x >>> 56)] ^ t6[(int) (x >>> 48) & 0xff] ^ t5[(int) (x >>> 40) & 0xff]
                    ^ t4[(int) (x >>> 32) & 0xff] ^ t3[(int) (x >>> 24) & 0xff] ^ t2[(int) (x >>> 16) & 0xff]
                    ^ t1[(int) (x >>> 8) & 0xff] ^ t0[(int) x & 0xff];
            i += 8;
        }
        while (i < end) {
            crc = (crc << 8) ^ t0[(int) ((crc >>> 56) ^ (buf.getByte(i) & 0xff))];
            i++;
        }
        return crc;
    }

    /** Byte by byte, the reference library's way; for tests of the fast path. */
    static long bytewise(byte[] data) {
        long crc = 0;
        for (byte d : data) {
            crc = (crc << 8) ^ T[0][(int) ((crc >>> 56) ^ (d & 0xff))];
        }
        return crc;
    }
}
