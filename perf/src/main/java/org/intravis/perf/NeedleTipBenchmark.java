package org.intravis.perf;

import org.intravis.inference.GreyPixels;
import org.intravis.inference.InstrumentDetection;
import org.intravis.inference.NeedleTipEvidence;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The needle tip from the frame's pixels ({@link NeedleTipEvidence#refine}) on a 1920x1080 grey frame with speckle-like
 * noise and a flat needle (10 degrees, 1,100 px long, from the right): a confident needle whose network tip ran 60 px
 * on (pulled back, the line read to 100 px past it), and an unsure one whose mask stopped 700 px short (read on to the
 * frame's edge, twice: the case that costs most).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NeedleTipBenchmark {
    private static final int W = 1920;
    private static final int H = 1080;
    private static final double EX = 1880;
    private static final double EY = 120;
    private static final double LENGTH = 1100;
    private static final double UX = -Math.cos(Math.toRadians(10));
    private static final double UY = Math.sin(Math.toRadians(10));

    @Param({"confident", "unsure"})
    public String needle;

    private final GreyPixels pixels = new GreyPixels();
    private final NeedleTipEvidence evidence = new NeedleTipEvidence();
    private final InstrumentDetection d = new InstrumentDetection();
    private double tipAlong;
    private float confidence;

    @Setup
    public void setUp() {
        Random r = new Random(7);
        byte[] px = new byte[W * H];
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                double t = (x - EX) * UX + (y - EY) * UY;
                double o = -(x - EX) * UY + (y - EY) * UX;
                double v = 60 + r.nextGaussian() * 12 + (t >= 0 && t <= LENGTH && Math.abs(o) <= 2.5 ? 40 : 0);
                px[y * W + x] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
            }
        }
        pixels.wrap(ByteBuffer.wrap(px), W, H, W, 1);
        boolean sure = "confident".equals(needle);
        tipAlong = sure ? LENGTH + 60 : LENGTH - 700;
        confidence = sure ? 0.9f : 0.2f;
    }

    @Benchmark
    public float refine() {
        d.set((byte) 1, (float) EX, (float) EY, (float) (EX + tipAlong * UX), (float) (EY + tipAlong * UY), confidence);
        evidence.refine(pixels, d);
        return d.tipX;
    }
}
