package org.intravis.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.FrameSlot;
import org.intravis.streamer.AvVideoEncoder;
import org.intravis.streamer.Encoding;
import org.intravis.streamer.FrameHeader;
import org.intravis.streamer.StreamerSettings;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Encoding one frame as the publisher does on the video thread: {@code AvVideoEncoder} (colour conversion and
 * FFmpeg's libopenh264 or mjpeg, one thread; libx264 with {@code -p h264Encoder=libx264} in a -Pgpl build) on a real
 * ultrasound phantom frame, and the packet copied once into a pooled buffer. The frames cycle through 30 consecutive
 * phantom frames so H.264 codes real motion, with a key frame every second as configured by default.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EncodeBenchmark {
    private static final int FRAMES = 30;

    @Param({"h264", "jpeg"})
    public String encoding;

    @Param({"1280x720", "1920x1080"})
    public String resolution;

    /** FFmpeg's H.264 encoder ({@code libx264} needs FFmpeg's GPL build: README, "Codec"). */
    @Param({"libopenh264"})
    public String h264Encoder;

    private AvVideoEncoder encoder;
    private List<FrameSlot> frames;
    private BytePointer[] pixels;
    private int next;
    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Setup(Level.Trial)
    public void setUp() {
        int[] wh = PhantomFrames.size(resolution);
        frames = PhantomFrames.render("ultrasound", wh[0], wh[1], FRAMES);
        pixels = new BytePointer[FRAMES];
        for (int i = 0; i < FRAMES; i++) {
            pixels[i] = new BytePointer(frames.get(i).pixels());
        }
        encoder = new AvVideoEncoder(Encoding.parse(encoding),
                new StreamerSettings().h264Encoder(h264Encoder).conclude(), 30);
    }

    @Benchmark
    public int encodeFrame() {
        int i = next;
        next = (i + 1) % FRAMES;
        FrameSlot f = frames.get(i);
        int n = encoder.encode(pixels[i], f.width(), f.height(), f.stride(), AvVideoEncoder.avPixelFormat(f.format()), false);
        if (n < 0) {
            return n;
        }
        ByteBuf msg = alloc.directBuffer(FrameHeader.LENGTH + n, FrameHeader.LENGTH + n);
        try {
            msg.writerIndex(FrameHeader.LENGTH);
            encoder.copyPacket(msg);
            return msg.readableBytes();
        } finally {
            msg.release();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.close();
    }
}
