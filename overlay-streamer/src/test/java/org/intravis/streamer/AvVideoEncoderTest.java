package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_GRAY8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

class AvVideoEncoderTest {
    static final int W = 320;
    static final int H = 240;

    /** A grey picture with a bright square that moves with t, so every frame differs. */
    static ByteBuffer grayFrame(int t, int w, int h) {
        ByteBuffer b = ByteBuffer.allocateDirect(w * h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = 40 + ((x + y) & 63);
                int sx = (t * 7) % (w - 40);
                if (x >= sx && x < sx + 40 && y >= 60 && y < 100) {
                    v = 230;
                }
                b.put(y * w + x, (byte) v);
            }
        }
        return b;
    }

    static StreamerSettings settings() {
        return new StreamerSettings().keyIntervalMillis(1000).conclude();
    }

    @Test
    void theDefaultH264EncoderIsLibopenh264WhereFfmpegHasNoLibx264() {
        // this execution has FFmpeg's LGPL build, as the default build ships; X264EncoderTest checks the GPL one
        assertThat(new StreamerSettings().conclude().h264Encoder()).isEqualTo("libopenh264");
    }

    @Test
    void h264IsAnnexBWithSpsPpsOnKeyFramesAndDecodesAtOnce() {
        assertLowLatencyH264ThatDecodes("libopenh264");
    }

    /**
     * What the page's decoder needs of an H.264 encoder (FFmpeg's {@code encoder}): one packet per picture at once,
     * Annex-B, SPS and PPS on every key frame (periodic and forced), constrained baseline without reordering, and
     * pictures that decode close to their source from the first.
     */
    static void assertLowLatencyH264ThatDecodes(String encoder) {
        List<byte[]> units = new ArrayList<>();
        List<Boolean> keys = new ArrayList<>();
        StreamerSettings settings = new StreamerSettings().h264Encoder(encoder).keyIntervalMillis(1000).conclude();
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.H264, settings, 10)) {
            for (int t = 0; t < 25; t++) {
                ByteBuffer px = grayFrame(t, W, H);
                int n = enc.encode(new BytePointer(px), W, H, W, AV_PIX_FMT_GRAY8, t == 17);
                assertThat(n).as("one packet per picture, no encoder delay (frame %d)", t).isPositive();
                units.add(enc.packetBytes());
                keys.add(enc.packetKey());
            }
            assertThat(enc.codecName()).isEqualTo(encoder);
            assertThat(enc.codecString()).matches("avc1\\.42[0-9A-F]{4}");
        }
        // key frames: the first, the forced one (17) and the periodic one (GOP 10 frames at 10 fps)
        assertThat(keys.get(0)).isTrue();
        assertThat(keys.get(17)).isTrue();
        assertThat(keys.get(10)).isTrue();
        assertThat(keys.get(5)).isFalse();
        for (int i = 0; i < units.size(); i++) {
            byte[] au = units.get(i);
            assertThat(H264Bitstream.startsWithStartCode(au)).as("Annex-B start code, unit %d", i).isTrue();
            List<Integer> types = H264Bitstream.nals(au).stream().map(H264Bitstream.Nal::type).toList();
            if (keys.get(i)) {
                assertThat(types).as("key frame %d carries SPS, PPS and an IDR slice", i)
                        .contains(H264Bitstream.NAL_SPS, H264Bitstream.NAL_PPS, H264Bitstream.NAL_IDR);
            } else {
                assertThat(types).contains(H264Bitstream.NAL_SLICE).doesNotContain(H264Bitstream.NAL_IDR);
            }
        }
        H264Bitstream.Sps sps = H264Bitstream.parseSps(units.get(0));
        assertThat(sps.profileIdc()).isEqualTo(66); // baseline
        assertThat(sps.constraintFlags() & 0x40).as("constraint_set1: constrained baseline").isNotZero();
        assertThat(sps.width()).isEqualTo(W);
        assertThat(sps.height()).isEqualTo(H);
        assertThat(sps.bitstreamRestriction()).as("VUI bitstream_restriction present").isTrue();
        assertThat(sps.maxNumReorderFrames()).as("no reordering: each frame can be output at once").isZero();

        try (H264TestDecoder dec = new H264TestDecoder()) {
            for (int i = 0; i < units.size(); i++) {
                H264TestDecoder.Picture p = dec.decode(units.get(i));
                assertThat(p).as("decoder outputs frame %d immediately", i).isNotNull();
                assertThat(p.width()).isEqualTo(W);
                assertThat(meanAbsDiff(limitedRange(grayFrame(i, W, H)), p.luma()))
                        .as("frame %d decodes close to its source", i).isLessThan(3.0);
            }
        }
    }

    @Test
    void aClientJoiningAtAKeyFrameDecodesWithoutEarlierUnits() {
        List<byte[]> units = new ArrayList<>();
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.H264, settings(), 30)) {
            for (int t = 0; t < 12; t++) {
                enc.encode(new BytePointer(grayFrame(t, W, H)), W, H, W, AV_PIX_FMT_GRAY8, t == 6);
                units.add(enc.packetBytes());
            }
        }
        try (H264TestDecoder dec = new H264TestDecoder()) {
            for (int i = 6; i < 12; i++) {
                H264TestDecoder.Picture p = dec.decode(units.get(i));
                assertThat(p).isNotNull();
                assertThat(meanAbsDiff(limitedRange(grayFrame(i, W, H)), p.luma())).isLessThan(3.0);
            }
        }
    }

    @Test
    void jpegFromGrayAndColourDecodes() {
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.JPEG, settings(), 30)) {
            ByteBuffer gray = grayFrame(3, W, H);
            assertThat(enc.encode(new BytePointer(gray), W, H, W, AV_PIX_FMT_GRAY8, false)).isPositive();
            assertThat(enc.packetKey()).isTrue();
            byte[] jpeg = enc.packetBytes();
            assertThat(jpeg[0] & 0xff).isEqualTo(0xFF);
            assertThat(jpeg[1] & 0xff).isEqualTo(0xD8);
            Mat decoded = imdecode(new Mat(new BytePointer(jpeg)), IMREAD_UNCHANGED);
            assertThat(decoded.cols()).isEqualTo(W);
            assertThat(decoded.rows()).isEqualTo(H);
            // compare the decoded green channel (grey in, grey out) with the source
            byte[] src = new byte[W * H];
            gray.get(src);
            byte[] out = new byte[W * H];
            BytePointer d = decoded.data();
            int ch = decoded.channels();
            for (int i = 0; i < W * H; i++) {
                out[i] = d.get((long) i * ch + (ch > 1 ? 1 : 0));
            }
            assertThat(meanAbsDiff(src, out)).isLessThan(4.0);

            ByteBuffer bgr = ByteBuffer.allocateDirect(W * H * 3);
            for (int i = 0; i < W * H; i++) {
                bgr.put(i * 3, (byte) 200).put(i * 3 + 1, (byte) 30).put(i * 3 + 2, (byte) 60);
            }
            assertThat(enc.encode(new BytePointer(bgr), W, H, W * 3, AV_PIX_FMT_BGR24, false)).isPositive();
            Mat colour = imdecode(new Mat(new BytePointer(enc.packetBytes())), IMREAD_UNCHANGED);
            BytePointer c = colour.data();
            int mid = (H / 2 * W + W / 2) * 3;
            assertThat(c.get(mid) & 0xff).isBetween(185, 215);
            assertThat(c.get(mid + 1) & 0xff).isBetween(15, 45);
            assertThat(c.get(mid + 2) & 0xff).isBetween(45, 75);
        }
    }

    @Test
    void jpegOfAColourSourceKeepsItsBlackAndWhite() {
        // a colour source (endoscopy) in full range: black must stay 0 and white 255, not 16 and 235
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.JPEG, settings(), 30)) {
            ByteBuffer bgr = ByteBuffer.allocateDirect(W * H * 3);
            for (int i = 0; i < W * H; i++) {
                byte v = (byte) (i % W < W / 2 ? 0 : 255);
                bgr.put(i * 3, v).put(i * 3 + 1, v).put(i * 3 + 2, v);
            }
            assertThat(enc.encode(new BytePointer(bgr), W, H, W * 3, AV_PIX_FMT_BGR24, false)).isPositive();
            Mat colour = imdecode(new Mat(new BytePointer(enc.packetBytes())), IMREAD_UNCHANGED);
            BytePointer c = colour.data();
            int row = H / 2 * W;
            assertThat(c.get((row + W / 4) * 3L + 1) & 0xff).as("black").isLessThanOrEqualTo(3);
            assertThat(c.get((row + 3 * W / 4) * 3L + 1) & 0xff).as("white").isGreaterThanOrEqualTo(252);
        }
    }

    /** How a packet reaches its buffer: the three ways {@link AvVideoEncoder#copyPacket} has. */
    enum CopyPath {
        /** A pooled buffer through Unsafe, as on Java 17 to 24 (where Netty has Unsafe). */
        UNSAFE,
        /** A pooled buffer through JavaCPP's memcpy, as on Java 25 (Netty's default there is no Unsafe). */
        JAVACPP,
        /** A direct buffer without a memory address (where Netty cannot read addresses): a staging array. */
        NO_ADDRESS
    }

    /** A fresh buffer for a packet, as VideoFanOut takes one, set up to go {@code path} (where this Java can). */
    static ByteBuf packetBuffer(AvVideoEncoder enc, CopyPath path, int capacity) {
        enc.unsafeCopy = path == CopyPath.UNSAFE;
        ByteBuf b = path == CopyPath.NO_ADDRESS
                ? new io.netty.buffer.UnpooledDirectByteBuf(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, capacity,
                        capacity)
                : PooledByteBufAllocator.DEFAULT.directBuffer(capacity);
        return b;
    }

    /** The paths this Java can take: Unsafe only where Netty has it, no address only where Netty gives none. */
    static List<CopyPath> copyPaths() {
        List<CopyPath> paths = new ArrayList<>();
        if (io.netty.util.internal.PlatformDependent.hasUnsafe()) {
            paths.add(CopyPath.UNSAFE);
        }
        paths.add(CopyPath.JAVACPP);
        try (AvVideoEncoder probe = new AvVideoEncoder(Encoding.JPEG, settings(), 30)) {
            ByteBuf b = packetBuffer(probe, CopyPath.NO_ADDRESS, 16);
            if (!b.hasMemoryAddress()) {
                paths.add(CopyPath.NO_ADDRESS);
            }
            b.release();
        }
        return paths;
    }

    @Test
    void copyPacketWritesTheBytesEveryWay() {
        List<CopyPath> paths = copyPaths();
        assertThat(paths).as("Java 25's copy runs on every Java").contains(CopyPath.JAVACPP);
        java.util.Set<Integer> tails = new java.util.HashSet<>();
        for (Encoding e : new Encoding[] {Encoding.JPEG, Encoding.H264}) {
            try (AvVideoEncoder enc = new AvVideoEncoder(e, settings(), 30)) {
                for (int f = 1; f <= 6; f++) {
                    enc.encode(new BytePointer(grayFrame(f, W, H)), W, H, W, AV_PIX_FMT_GRAY8, false);
                    tails.add(enc.packetSize() % Long.BYTES);
                    for (CopyPath path : paths) {
                        ByteBuf buf = packetBuffer(enc, path, 4 + enc.packetSize());
                        try {
                            buf.writeInt(7);
                            enc.copyPacket(buf);
                            byte[] copied = new byte[enc.packetSize()];
                            buf.getBytes(4, copied);
                            assertThat(buf.readableBytes()).isEqualTo(4 + enc.packetSize());
                            assertThat(copied).as(e + " frame " + f + " " + path).isEqualTo(enc.packetBytes());
                        } finally {
                            buf.release();
                        }
                    }
                }
            }
        }
        assertThat(tails).as("packet lengths that are not a multiple of 8").anyMatch(t -> t != 0);
    }

    @Test
    void copyPacketAllocatesNothingOnTheHeap() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (AvVideoEncoder enc = new AvVideoEncoder(Encoding.H264, settings(), 30)) {
            enc.encode(new BytePointer(grayFrame(1, W, H)), W, H, W, AV_PIX_FMT_GRAY8, false);
            for (CopyPath path : copyPaths()) {
                long allocated = 0;
                for (int round = 0; round < 3; round++) { // the first ones warm: classes loaded, methods compiled
                    // a fresh buffer a packet, as VideoFanOut writes them (made and freed outside the count: the
                    // pool's own bookkeeping on a thread without a pool cache is not what is measured)
                    ByteBuf[] fresh = new ByteBuf[2_000];
                    for (int i = 0; i < fresh.length; i++) {
                        fresh[i] = packetBuffer(enc, path, 64 + enc.packetSize());
                    }
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (ByteBuf buf : fresh) {
                        enc.copyPacket(buf);
                    }
                    allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    for (ByteBuf buf : fresh) {
                        assertThat(buf.readableBytes()).isEqualTo(enc.packetSize());
                        buf.release();
                    }
                }
                if (path == CopyPath.NO_ADDRESS) { // Netty's view of each buffer's memory, never the packet
                    assertThat(allocated / 2_000).as("heap bytes a copy, " + path).isLessThan(128)
                            .isLessThan(enc.packetSize());
                } else {
                    assertThat(allocated).as("heap bytes allocated by 2000 copies, " + path).isLessThan(2_000);
                }
            }
        }
    }

    /** H.264 carries video-range luma (16..235): the full-range grey a source delivers, as the decoder returns it. */
    static byte[] limitedRange(ByteBuffer gray) {
        byte[] out = new byte[gray.capacity()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Math.round(16 + (gray.get(i) & 0xff) * 219 / 255.0);
        }
        return out;
    }

    static double meanAbsDiff(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        }
        return sum / (double) a.length;
    }
}
