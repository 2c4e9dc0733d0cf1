package org.intravis.perf;

import org.intravis.inference.FrameClock;
import org.intravis.inference.GreyPixels;
import org.intravis.inference.SceneCut;
import org.intravis.pipeline.FrameSlot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One inferred frame's scene check as the model worker makes it before decoding a row: the thumbnail of a 1280x720
 * grey phantom frame read from its ring slot and compared with the stream's last one (two successive frames in
 * turn, so every call compares two pictures).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SceneCutBenchmark {
    private final GreyPixels[] frames = {new GreyPixels(), new GreyPixels()};
    private SceneCut sceneCut;
    private FrameClock clock;
    private long frame;

    @Setup(Level.Trial)
    public void setUp() {
        List<FrameSlot> slots = PhantomFrames.render("ultrasound", 1280, 720, 2);
        for (int f = 0; f < 2; f++) {
            FrameSlot s = slots.get(f);
            frames[f].wrap(s.pixels(), s.width(), s.height(), s.stride(), s.format().bytesPerPixel());
        }
        sceneCut = new SceneCut();
        clock = new FrameClock();
    }

    @Benchmark
    public boolean judgeScene() {
        GreyPixels p = frames[(int) (frame & 1)];
        frame++;
        return sceneCut.cut(p, p.width(), p.height(), clock.advance(frame * 33_333_333L, frame * 33_333L));
    }
}
