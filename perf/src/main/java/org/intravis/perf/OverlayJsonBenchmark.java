package org.intravis.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.intravis.pipeline.Annotations;
import org.intravis.streamer.OverlayJson;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * One overlay message as the publisher builds it on the inference thread: {@code OverlayJson} writing a typical
 * frame's annotations (two tracked tips with their lines, four segmented zones of 48 points and a drawn no-go zone,
 * distances, two alerts, a heat map reference) into a pooled direct buffer, then released.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OverlayJsonBenchmark {
    private final OverlayJson json = new OverlayJson("us1", 0.5);
    private final Annotations a = new Annotations();
    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Setup(Level.Trial)
    public void setUp() {
        typical(a);
    }

    /** A busy frame's annotations. */
    static void typical(Annotations a) {
        a.clear();
        a.status(Annotations.Status.VALID).origin(Annotations.Origin.MODEL).streamIndex(0).frameId(1042)
                .captureEpochMicros(1_764_270_000_000_000L).capturedNanos(1).preprocessedNanos(2).inferredNanos(3)
                .publishedNanos(4).frameSize(1280, 720).pixelSpacingMm(0.1).model("ultrasound", "1", "cpu")
                .batchSize(4);
        a.addTip(1, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, 640.5f, 300f, 12f, -3f, 0.93f);
        a.addTip(2, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_TENTATIVE, 200.25f, 410f, 0f, 1f, 0.41f);
        a.addLine(Annotations.INSTRUMENT_NEEDLE, 1, 100f, 80f, 640.5f, 300f, 0.9f);
        a.addLine(Annotations.INSTRUMENT_NEEDLE, 2, 20f, 300f, 200.25f, 410f, 0.4f);
        for (int z = 0; z < 4; z++) {
            a.beginZone(10 + z, z % 2 == 0 ? Annotations.ZONE_VESSEL : Annotations.ZONE_NERVE, false, 0.8f, 5400f);
            for (int k = 0; k < 48; k++) {
                double t = 2 * Math.PI * k / 48;
                a.addZonePoint((float) (300 + 200 * z + 60 * Math.cos(t)), (float) (400 + 40 * Math.sin(t)));
            }
        }
        a.beginZone(3, Annotations.ZONE_NOGO, true, 1f, 900f);
        a.addZonePoint(400, 100);
        a.addZonePoint(560, 100);
        a.addZonePoint(560, 220);
        a.addDistance(1, 0, 15.5f, 1.55f, 120f);
        a.addDistance(1, 4, 80f, 8f, Float.NaN);
        a.addAlert(900, Annotations.ALERT_WARNING, Annotations.ALERT_KIND_PROXIMITY, 1, 0, Annotations.ZONE_VESSEL,
                1.55f, 15.5f);
        a.addAlert(901, Annotations.ALERT_CAUTION, Annotations.ALERT_KIND_TRAJECTORY, 1, 4, Annotations.ZONE_NOGO,
                8f, 80f);
        a.heatmapShape(4, 64, 36, 1040, "needle", "vessel", "nerve", "tip");
    }

    @Benchmark
    public int overlayMessage() {
        ByteBuf out = alloc.directBuffer(1024);
        try {
            json.writeOverlay(out, a);
            return out.readableBytes();
        } finally {
            out.release();
        }
    }
}
