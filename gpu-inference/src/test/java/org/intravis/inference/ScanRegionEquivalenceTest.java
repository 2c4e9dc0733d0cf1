package org.intravis.inference;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ScanRegion#find} (padded grid, no division per pixel, columns counted row by row) against a plain
 * reference: the same background, pixel for pixel, on random planes of random sizes (dark sectors, margins, blobs
 * touching the border or not, dark speckle) and margins.
 */
class ScanRegionEquivalenceTest {
    private static final float DARK = 0.05f;

    record Case(int w, int h, int margin, long seed, int shape) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(1, 70), Arbitraries.integers().between(1, 70),
                Arbitraries.integers().between(0, 4), Arbitraries.longs(), Arbitraries.integers().between(0, 3))
                .as(Case::new);
    }

    @Property(tries = 400)
    void theBackgroundIsTheReferencesPixelForPixel(@ForAll("cases") Case c) {
        float[] in = plane(c);
        ScanRegion region = new ScanRegion(c.w(), c.h(), c.margin());
        int n = region.find(in, 0, DARK);
        boolean[] expected = new boolean[c.w() * c.h()];
        int expectedCount = Reference.find(in, c.w(), c.h(), c.margin(), DARK, expected);
        assertThat(n).isEqualTo(expectedCount);
        for (int y = 0; y < c.h(); y++) {
            for (int x = 0; x < c.w(); x++) {
                assertThat(region.isBackground(x, y)).as("(%d, %d) of %s", x, y, c).isEqualTo(expected[y * c.w() + x]);
            }
        }
        Statistics.label("background").collect(n == 0 ? "none" : n == c.w() * c.h() ? "all" : "some");
        // the tries are only worth it if many planes get a background that is neither empty nor the whole plane
        Statistics.label("background").coverage(check -> check.check("some").percentage(p -> p > 15));
    }

    /** Speckle in [0.1, 1) with dark regions: a sector (0), side margins (1), random discs (2), dark speckle (3). */
    static float[] plane(Case c) {
        Random rnd = new Random(c.seed());
        int w = c.w();
        int h = c.h();
        float[] in = new float[w * h];
        for (int i = 0; i < in.length; i++) {
            in[i] = 0.1f + 0.9f * rnd.nextFloat();
        }
        switch (c.shape()) {
            case 0 -> {
                double apex = -rnd.nextInt(h + 1);
                double half = Math.toRadians(20 + rnd.nextInt(50));
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        if (Math.abs(Math.atan2(x - w / 2.0, y - apex)) > half) {
                            in[y * w + x] = 0f;
                        }
                    }
                }
            }
            case 1 -> {
                int left = rnd.nextInt(w / 3 + 1);
                int right = rnd.nextInt(w / 3 + 1);
                for (int y = 0; y < h; y++) {
                    Arrays.fill(in, y * w, y * w + left, 0f);
                    Arrays.fill(in, y * w + w - right, y * w + w, 0f);
                }
            }
            case 2 -> {
                for (int d = 0; d < 1 + rnd.nextInt(4); d++) {
                    int cx = rnd.nextInt(w);
                    int cy = rnd.nextInt(h);
                    int r = 1 + rnd.nextInt(Math.max(1, Math.min(w, h) / 3));
                    for (int y = Math.max(0, cy - r); y <= Math.min(h - 1, cy + r); y++) {
                        for (int x = Math.max(0, cx - r); x <= Math.min(w - 1, cx + r); x++) {
                            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                                in[y * w + x] = 0f;
                            }
                        }
                    }
                }
            }
            default -> {
                float share = rnd.nextFloat() * 0.8f;
                for (int i = 0; i < in.length; i++) {
                    if (rnd.nextFloat() < share) {
                        in[i] = 0f;
                    }
                }
            }
        }
        return in;
    }

    /**
     * The flood fill as it was before 2026-12-04 (bounds checks and a division per filled pixel), and the widening
     * by its definition: any background pixel in the (2 margin + 3)-wide square around.
     */
    static final class Reference {
        static int find(float[] input, int w, int h, int margin, float darkBelow, boolean[] widened) {
            boolean anyDarkEdge = false;
            for (int x = 0; x < w && !anyDarkEdge; x++) {
                anyDarkEdge = input[x] < darkBelow || input[(h - 1) * w + x] < darkBelow;
            }
            for (int y = 0; y < h && !anyDarkEdge; y++) {
                anyDarkEdge = input[y * w] < darkBelow || input[y * w + w - 1] < darkBelow;
            }
            if (!anyDarkEdge) {
                return 0;
            }
            boolean[] across = new boolean[w * h];
            boolean[] dark = new boolean[w * h];
            boolean[] background = new boolean[w * h];
            int[] queue = new int[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    boolean d = input[p] < darkBelow;
                    d &= x == 0 || input[p - 1] < darkBelow;
                    d &= x == w - 1 || input[p + 1] < darkBelow;
                    across[p] = d;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    dark[p] = across[p] && (y == 0 || across[p - w]) && (y == h - 1 || across[p + w]);
                }
            }
            int tail = 0;
            for (int x = 0; x < w; x++) {
                tail = seed(dark, background, queue, x, tail);
                tail = seed(dark, background, queue, (h - 1) * w + x, tail);
            }
            for (int y = 1; y < h - 1; y++) {
                tail = seed(dark, background, queue, y * w, tail);
                tail = seed(dark, background, queue, y * w + w - 1, tail);
            }
            int head = 0;
            while (head < tail) {
                int p = queue[head++];
                int x = p % w;
                int y = p / w;
                if (x > 0) {
                    tail = seed(dark, background, queue, p - 1, tail);
                }
                if (x < w - 1) {
                    tail = seed(dark, background, queue, p + 1, tail);
                }
                if (y > 0) {
                    tail = seed(dark, background, queue, p - w, tail);
                }
                if (y < h - 1) {
                    tail = seed(dark, background, queue, p + w, tail);
                }
            }
            if (tail == 0) {
                return 0;
            }
            int r = margin + 1;
            int count = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean near = false;
                    for (int yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r) && !near; yy++) {
                        for (int xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r) && !near; xx++) {
                            near = background[yy * w + xx];
                        }
                    }
                    widened[y * w + x] = near;
                    count += near ? 1 : 0;
                }
            }
            return count;
        }

        private static int seed(boolean[] dark, boolean[] background, int[] queue, int p, int tail) {
            if (dark[p] && !background[p]) {
                background[p] = true;
                queue[tail++] = p;
            }
            return tail;
        }
    }
}
