package org.intravis.streamer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads H.264 Annex-B access units: splits them into NAL units, builds the WebCodecs codec string from the SPS
 * ({@code avc1.PPCCLL}) and parses the SPS far enough to check what matters for latency (the VUI's bitstream
 * restriction with {@code max_num_reorder_frames}). Used when the encoder opens and by tests; not per frame.
 */
public final class H264Bitstream {
    public static final int NAL_SLICE = 1;
    public static final int NAL_IDR = 5;
    public static final int NAL_SEI = 6;
    public static final int NAL_SPS = 7;
    public static final int NAL_PPS = 8;
    public static final int NAL_AUD = 9;

    private H264Bitstream() {
    }

    /** One NAL unit: its type and its bytes without the start code (still with emulation prevention bytes). */
    public record Nal(int type, int offset, int length) {
    }

    /** NAL units of an Annex-B buffer, in order; empty when it does not start with a start code. */
    public static List<Nal> nals(byte[] au) {
        List<Nal> out = new ArrayList<>();
        int i = startCode(au, 0);
        while (i >= 0) {
            int begin = i;
            int next = startCode(au, begin);
            int end = next < 0 ? au.length : next - startCodeLength(au, next);
            while (end > begin && au[end - 1] == 0 && next >= 0) { // trailing zero bytes belong to the next start code
                end--;
            }
            if (end > begin) {
                out.add(new Nal(au[begin] & 0x1f, begin, end - begin));
            }
            i = next;
        }
        return out;
    }

    /** Whether the buffer starts with an Annex-B start code (00 00 01 or 00 00 00 01). */
    public static boolean startsWithStartCode(byte[] b) {
        return b.length >= 4 && b[0] == 0 && b[1] == 0 && (b[2] == 1 || (b[2] == 0 && b[3] == 1));
    }

    // index just past the next start code at or after from, or -1
    private static int startCode(byte[] b, int from) {
        for (int i = from; i + 2 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                return i + 3;
            }
        }
        return -1;
    }

    private static int startCodeLength(byte[] b, int after) {
        return after >= 4 && b[after - 4] == 0 ? 4 : 3;
    }

    /** The codec string WebCodecs wants, from the first SPS of an access unit, or empty when there is none. */
    public static String codecString(byte[] au) {
        for (Nal n : nals(au)) {
            if (n.type() == NAL_SPS && n.length() >= 4) {
                return String.format(Locale.ROOT, "avc1.%02X%02X%02X", au[n.offset() + 1] & 0xff,
                        au[n.offset() + 2] & 0xff, au[n.offset() + 3] & 0xff);
            }
        }
        return "";
    }

    /** What the SPS says. {@code maxNumReorderFrames} is -1 when the SPS carries no bitstream restriction. */
    public record Sps(int profileIdc, int constraintFlags, int levelIdc, int width, int height, int maxNumRefFrames,
                      boolean vuiPresent, boolean bitstreamRestriction, int maxNumReorderFrames,
                      int maxDecFrameBuffering, boolean frameMbsOnly, int pocType) {
    }

    /** Parses the first SPS of an access unit; throws when there is none. */
    public static Sps parseSps(byte[] au) {
        for (Nal n : nals(au)) {
            if (n.type() == NAL_SPS) {
                return parseSpsNal(unescape(au, n.offset() + 1, n.length() - 1));
            }
        }
        throw new IllegalArgumentException("no SPS in access unit");
    }

    /** Removes emulation prevention bytes (00 00 03 -> 00 00). */
    static byte[] unescape(byte[] b, int off, int len) {
        byte[] out = new byte[len];
        int n = 0;
        int zeros = 0;
        for (int i = off; i < off + len; i++) {
            if (zeros >= 2 && b[i] == 3) {
                zeros = 0;
                continue;
            }
            out[n++] = b[i];
            zeros = b[i] == 0 ? zeros + 1 : 0;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static Sps parseSpsNal(byte[] rbsp) {
        Bits r = new Bits(rbsp);
        int profile = r.u(8);
        int constraints = r.u(8);
        int level = r.u(8);
        r.ue(); // seq_parameter_set_id
        int chromaFormat = 1;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chromaFormat = r.ue();
            if (chromaFormat == 3) {
                r.u(1);
            }
            r.ue();
            r.ue();
            r.u(1);
            if (r.u(1) == 1) { // seq_scaling_matrix_present_flag
                for (int i = 0; i < (chromaFormat != 3 ? 8 : 12); i++) {
                    if (r.u(1) == 1) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.ue(); // log2_max_frame_num_minus4
        int pocType = r.ue();
        if (pocType == 0) {
            r.ue();
        } else if (pocType == 1) {
            r.u(1);
            r.se();
            r.se();
            int n = r.ue();
            for (int i = 0; i < n; i++) {
                r.se();
            }
        }
        int maxRef = r.ue();
        r.u(1); // gaps_in_frame_num_value_allowed_flag
        int widthMbs = r.ue() + 1;
        int heightMapUnits = r.ue() + 1;
        boolean frameMbsOnly = r.u(1) == 1;
        if (!frameMbsOnly) {
            r.u(1);
        }
        r.u(1); // direct_8x8_inference_flag
        int cropL = 0;
        int cropR = 0;
        int cropT = 0;
        int cropB = 0;
        if (r.u(1) == 1) {
            cropL = r.ue();
            cropR = r.ue();
            cropT = r.ue();
            cropB = r.ue();
        }
        int cropUnitX = chromaFormat == 0 ? 1 : 2;
        int cropUnitY = (chromaFormat == 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
        int width = widthMbs * 16 - cropUnitX * (cropL + cropR);
        int height = heightMapUnits * 16 * (frameMbsOnly ? 1 : 2) - cropUnitY * (cropT + cropB);
        boolean vui = r.u(1) == 1;
        boolean restriction = false;
        int reorder = -1;
        int decBuffering = -1;
        if (vui) {
            if (r.u(1) == 1) { // aspect_ratio_info_present_flag
                if (r.u(8) == 255) {
                    r.u(16);
                    r.u(16);
                }
            }
            if (r.u(1) == 1) {
                r.u(1);
            }
            if (r.u(1) == 1) { // video_signal_type_present_flag
                r.u(3);
                r.u(1);
                if (r.u(1) == 1) {
                    r.u(8);
                    r.u(8);
                    r.u(8);
                }
            }
            if (r.u(1) == 1) {
                r.ue();
                r.ue();
            }
            if (r.u(1) == 1) { // timing_info_present_flag
                r.u(32);
                r.u(32);
                r.u(1);
            }
            boolean nalHrd = r.u(1) == 1;
            if (nalHrd) {
                skipHrd(r);
            }
            boolean vclHrd = r.u(1) == 1;
            if (vclHrd) {
                skipHrd(r);
            }
            if (nalHrd || vclHrd) {
                r.u(1);
            }
            r.u(1); // pic_struct_present_flag
            restriction = r.u(1) == 1;
            if (restriction) {
                r.u(1);
                r.ue();
                r.ue();
                r.ue();
                r.ue();
                reorder = r.ue();
                decBuffering = r.ue();
            }
        }
        return new Sps(profile, constraints, level, width, height, maxRef, vui, restriction, reorder, decBuffering,
                frameMbsOnly, pocType);
    }

    private static void skipScalingList(Bits r, int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size; j++) {
            if (next != 0) {
                next = (last + r.se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    private static void skipHrd(Bits r) {
        int cpbCnt = r.ue() + 1;
        r.u(4);
        r.u(4);
        for (int i = 0; i < cpbCnt; i++) {
            r.ue();
            r.ue();
            r.u(1);
        }
        r.u(5);
        r.u(5);
        r.u(5);
        r.u(5);
    }

    /** MSB-first bit reader with Exp-Golomb codes. */
    static final class Bits {
        private final byte[] b;
        private long pos;

        Bits(byte[] b) {
            this.b = b;
        }

        int u(int n) {
            long v = 0;
            for (int i = 0; i < n; i++) {
                int byteIndex = (int) (pos >>> 3);
                if (byteIndex >= b.length) {
                    throw new IllegalArgumentException("SPS truncated");
                }
                v = (v << 1) | ((b[byteIndex] >> (7 - (pos & 7))) & 1);
                pos++;
            }
            return (int) v;
        }

        int ue() {
            int zeros = 0;
            while (u(1) == 0) {
                if (++zeros > 31) {
                    throw new IllegalArgumentException("bad Exp-Golomb code in SPS");
                }
            }
            return (int) ((1L << zeros) - 1 + (zeros == 0 ? 0 : (u(zeros) & 0xffffffffL)));
        }

        int se() {
            int k = ue();
            return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
        }
    }
}
