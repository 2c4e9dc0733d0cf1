package org.intravis.inference;

import org.intravis.capture.FrameSources;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.InferenceFeed;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zone smoothing with the shipped ultrasound model on the synthetic phantom, through the inference service as a
 * stream: the zones flicker less than frame by frame (edges and zones coming and going) and keep their ids, and
 * the average starts again at a scene cut (another phantom, the other way round) and after a gap in time, where
 * the zones are exactly those of the frame alone.
 */
class ZoneSmoothingTest {
    private static final int W = 1280;
    private static final int H = 720;
    private static final int STEADY = 120;  // frames of one view (the phantom analyze shows by default: seed 1)
    private static final int CUT = 20;      // then frames of another view
    private static final int AFTER_GAP = 5; // then the other view again, 2 s later
    private static final long FRAME_NANOS = 33_333_333L;
    private static final List<byte[]> FRAMES = new ArrayList<>();
    private static List<Annotations> off;
    private static List<Annotations> on;

    @BeforeAll
    static void runBothWays() throws Exception {
        read("synthetic:ultrasound?width=" + W + "&height=" + H + "&pace=fast&seed=1&frames=" + STEADY);
        read("synthetic:ultrasound?width=" + W + "&height=" + H + "&pace=fast&seed=12&frames=" + (CUT + AFTER_GAP));
        off = run(ZoneSmoother.Config.OFF);
        on = run(ZoneSmoother.Config.defaults());
    }

    private static void read(String uri) throws Exception {
        FrameSource source = FrameSources.create(uri);
        source.open();
        try {
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            while (true) {
                slot.beginWrite();
                FrameSource.Read r = source.readInto(slot);
                slot.endWrite();
                if (r == FrameSource.Read.END) {
                    return;
                }
                if (r == FrameSource.Read.FRAME) {
                    assertThat(slot.width()).isEqualTo(W);
                    byte[] px = new byte[W * H];
                    for (int y = 0; y < H; y++) {
                        slot.pixels().get(y * slot.stride(), px, y * W, W);
                    }
                    FRAMES.add(px);
                }
            }
        } finally {
            source.close();
        }
    }

    /**
     * Every frame through the model in order, 30 fps apart in capture time but for the gap (a clock of its own, so
     * the budget is set far beyond it); the published sets.
     */
    private static List<Annotations> run(ZoneSmoother.Config smoothing) throws Exception {
        Recorder r = new Recorder();
        InferenceSettings settings = new InferenceSettings().budgetMs(600_000).maxBatch(1).intraOpThreads(2)
                .heatmapEvery(0).zoneSmoothing(smoothing).conclude();
        List<Annotations> out = new ArrayList<>();
        try (InferenceService service = new InferenceService(settings)) {
            InferenceFeed feed = service.register(r.registration("us", 0, 0, "ultrasound"));
            FrameSlot slot = new FrameSlot(0, new FrameGeometry(W, H, PixelFormat.GRAY8), false);
            long captured = System.nanoTime();
            for (int i = 0; i < FRAMES.size(); i++) {
                captured += i == STEADY + CUT ? 2_000_000_000L : FRAME_NANOS;
                slot.beginWrite();
                slot.frame(W, H, W, PixelFormat.GRAY8);
                ByteBuffer px = slot.pixels();
                px.clear();
                px.put(FRAMES.get(i), 0, W * H);
                px.clear();
                slot.captured(0, i, i, captured);
                slot.endWrite();
                while (feed.offer(slot, slot.writeVersion()) != InferenceFeed.Offer.ACCEPTED) {
                    Thread.sleep(1);
                }
                long id = i;
                out.add(r.await(a -> a.frameId() == id));
            }
        }
        for (Annotations a : out) {
            assertThat(a.status()).isEqualTo(Annotations.Status.VALID);
        }
        return out;
    }

    @Test
    void smoothedZonesFlickerLessAndKeepTheirIds() {
        Flicker before = Flicker.of(off.subList(0, STEADY));
        Flicker after = Flicker.of(on.subList(0, STEADY));
        System.out.println("phantom " + W + "x" + H + ", " + STEADY + " frames: frame by frame " + before
                + "; smoothed " + after);
        assertThat(after.renamed).as("smoothed: %s", after).isZero();
        assertThat(after.pixelIou).as("smoothed: %s; frame by frame: %s", after, before)
                .isGreaterThan(before.pixelIou).isGreaterThan(MIN_PIXEL_IOU);
        assertThat(after.eventsPer100).as("smoothed: %s; frame by frame: %s", after, before)
                .isLessThan(before.eventsPer100).isLessThan(MAX_EVENTS);
    }

    @Test
    void theAverageStartsAgainAtACutAndAfterAGap() {
        for (int i : new int[]{STEADY, STEADY + CUT}) {
            assertThat(zones(on.get(i))).as("frame %d: the zones of the frame alone", i).isEqualTo(zones(off.get(i)))
                    .isNotEmpty();
        }
        // and in between the average was at work (else the test above proves nothing)
        int differing = 0;
        for (int i = STEADY + 1; i < STEADY + CUT; i++) {
            differing += zones(on.get(i)).equals(zones(off.get(i))) ? 0 : 1;
        }
        assertThat(differing).as("smoothed frames that differ from the frame alone after the cut").isPositive();
    }

    /** A set's segmented zones as class and vertices, to compare two runs exactly. */
    private static List<String> zones(Annotations a) {
        List<String> z = new ArrayList<>();
        for (int k = 0; k < a.zoneCount(); k++) {
            StringBuilder s = new StringBuilder().append(a.zoneClass[k]);
            for (int p = 0; p < a.zonePointCount[k]; p++) {
                s.append(' ').append(a.zonePointX(k, p)).append(',').append(a.zonePointY(k, p));
            }
            z.add(s.toString());
        }
        return z;
    }

    // a little beyond what this test measured (phantom 1280x720, seed 1, 120 frames; 2026-12-03): pixel IoU frame
    // to frame 0.9834 frame by frame, 0.9855 smoothed; zones appearing or disappearing per 100 frames 10.9 and 0.8
    // (one event in 119 pairs is 0.84: the bound allows three)
    private static final double MIN_PIXEL_IOU = 0.985;
    private static final double MAX_EVENTS = 2.6;

    /**
     * Frame-to-frame steadiness of the zones with the same id, as perf/tools/zone_flicker.py measures it: the mean
     * IoU per pair, the pixel IoU (intersections over unions, summed: how far edges move) and the zones coming and
     * going.
     */
    private record Flicker(double meanIou, double pixelIou, double eventsPer100, int renamed, int pairs) {
        static Flicker of(List<Annotations> frames) {
            double iouSum = 0;
            long interSum = 0;
            long unionSum = 0;
            int pairs = 0;
            int events = 0;
            int renamed = 0;
            for (int t = 1; t < frames.size(); t++) {
                Annotations prev = frames.get(t - 1);
                Annotations cur = frames.get(t);
                Map<Integer, Integer> before = byId(prev);
                Map<Integer, Integer> now = byId(cur);
                for (Map.Entry<Integer, Integer> e : now.entrySet()) {
                    Integer p = before.get(e.getKey());
                    if (p == null) {
                        events++;
                        continue;
                    }
                    long[] iu = overlap(prev, p, cur, e.getValue());
                    iouSum += iu[1] == 0 ? 1 : (double) iu[0] / iu[1];
                    interSum += iu[0];
                    unionSum += iu[1];
                    pairs++;
                }
                for (Integer id : before.keySet()) {
                    events += now.containsKey(id) ? 0 : 1;
                }
                for (int z = 0; z < cur.zoneCount(); z++) { // a zone that continues one must have its id
                    for (int q = 0; q < prev.zoneCount(); q++) {
                        if (prev.zoneClass[q] == cur.zoneClass[z] && iou(prev, q, cur, z) >= 0.5
                                && prev.zoneId[q] != cur.zoneId[z]) {
                            renamed++;
                        }
                    }
                }
            }
            return new Flicker(pairs == 0 ? 0 : iouSum / pairs, unionSum == 0 ? 0 : (double) interSum / unionSum,
                    100.0 * events / (frames.size() - 1), renamed, pairs);
        }

        private static Map<Integer, Integer> byId(Annotations a) {
            Map<Integer, Integer> m = new HashMap<>();
            for (int z = 0; z < a.zoneCount(); z++) {
                if (!a.zoneDrawn[z]) {
                    m.put(a.zoneId[z], z);
                }
            }
            return m;
        }

        private static double iou(Annotations a, int za, Annotations b, int zb) {
            long[] iu = overlap(a, za, b, zb);
            return iu[1] == 0 ? 1 : (double) iu[0] / iu[1];
        }

        /** Pixels in both zones and in either. */
        private static long[] overlap(Annotations a, int za, Annotations b, int zb) {
            boolean[] ma = raster(a, za);
            boolean[] mb = raster(b, zb);
            long inter = 0;
            long union = 0;
            for (int i = 0; i < ma.length; i++) {
                inter += ma[i] && mb[i] ? 1 : 0;
                union += ma[i] || mb[i] ? 1 : 0;
            }
            return new long[]{inter, union};
        }

        /** Even-odd fill of a zone's polygon at pixel centres. */
        private static boolean[] raster(Annotations a, int z) {
            boolean[] m = new boolean[W * H];
            int n = a.zonePointCount[z];
            for (int y = 0; y < H; y++) {
                double yc = y + 0.5;
                for (int k = 0, j = n - 1; k < n; j = k++) {
                    double ay = a.zonePointY(z, j);
                    double by = a.zonePointY(z, k);
                    if ((ay <= yc) == (by <= yc)) {
                        continue;
                    }
                    double ax = a.zonePointX(z, j);
                    double bx = a.zonePointX(z, k);
                    double xc = ax + (yc - ay) * (bx - ax) / (by - ay);
                    for (int x = 0; x < W && x + 0.5 < xc; x++) {
                        m[y * W + x] ^= true;
                    }
                }
            }
            return m;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "mean frame-to-frame IoU %.4f over %d pairs (pixel IoU %.4f), "
                    + "%.1f appear/disappear events per 100 frames, %d continuations renamed", meanIou, pairs, pixelIou,
                    eventsPer100, renamed);
        }
    }
}
