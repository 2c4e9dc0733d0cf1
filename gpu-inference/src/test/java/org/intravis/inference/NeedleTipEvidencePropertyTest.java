package org.intravis.inference;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NeedleTipEvidence#refine} on random frames (sizes, a bright line anywhere, entering from outside the frame
 * or not, noise) and random network needles on that line (short of its end or past it, sure or unsure), with one
 * instance reused across all of them as a stream's worker reuses it: the tip only moves along the line, a sure tip is
 * never pushed on, an unsure tip that moves stays on the frame, and a reused instance answers as a fresh one.
 */
class NeedleTipEvidencePropertyTest {
    private final NeedleTipEvidence reused = new NeedleTipEvidence();

    record Case(int w, int h, long seed, double angle, double lineLength, double tipShare, boolean sure) {
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.integers().between(100, 420), Arbitraries.integers().between(100, 420),
                Arbitraries.longs(), Arbitraries.doubles().between(0, 360), Arbitraries.doubles().between(30, 600),
                Arbitraries.doubles().between(0.1, 1.6), Arbitraries.of(true, false)).as(Case::new);
    }

    @Property(tries = 300)
    void theTipMovesOnlyAlongItsLineAndAnUnsureOneStaysOnTheFrame(@ForAll("cases") Case c) {
        Random r = new Random(c.seed());
        double ex = -20 + r.nextDouble() * (c.w() + 40); // the entry may lie off the frame
        double ey = -20 + r.nextDouble() * (c.h() + 40);
        double ux = Math.cos(Math.toRadians(c.angle()));
        double uy = Math.sin(Math.toRadians(c.angle()));
        byte[] px = frame(c, r, ex, ey, ux, uy);
        GreyPixels pixels = new GreyPixels().wrap(ByteBuffer.wrap(px), c.w(), c.h(), c.w(), 1);
        double tipAlong = c.tipShare() * c.lineLength();
        InstrumentDetection a = detection(ex, ey, ux, uy, tipAlong, c.sure());
        InstrumentDetection b = detection(ex, ey, ux, uy, tipAlong, c.sure());
        boolean moved = reused.refine(pixels, a);
        assertThat(new NeedleTipEvidence().refine(pixels, b)).isEqualTo(moved);
        assertThat(a.tipX).as("reused = fresh").isEqualTo(b.tipX);
        assertThat(a.tipY).as("reused = fresh").isEqualTo(b.tipY);
        double along = (a.tipX - ex) * ux + (a.tipY - ey) * uy;
        double across = -(a.tipX - ex) * uy + (a.tipY - ey) * ux;
        double sc = Math.max(0.4, Math.min(2.5, Math.min(c.w(), c.h()) / 860.0));
        // corrected onto the ridge by a few pixels at most (4 px across, read within 2 of that, at the 860 px scale)
        assertThat(Math.abs(across)).as("across the line").isLessThanOrEqualTo(6 * sc + 1);
        if (c.sure()) {
            assertThat(along).as("a sure tip is never pushed on").isLessThanOrEqualTo(tipAlong + 1e-3);
        }
        if (moved && !c.sure()) {
            assertThat(a.tipX).isBetween(-1f, c.w() + 0f);
            assertThat(a.tipY).isBetween(-1f, c.h() + 0f);
        }
        Statistics.label("outcome").collect(!moved ? "stayed" : along > tipAlong + 1 ? "went on" : "pulled back");
        // that the cases reach both moves, not how often: over six runs "went on" was 8-11 % (23-33 of 300) and
        // "pulled back" 22-32 %; a bound of 5 % failed one CI run at exactly 5.0 (15 of 300), so 2 % (about four
        // spreads below the mean) keeps the check without failing on the draw
        Statistics.label("outcome").coverage(check -> {
            check.check("went on").percentage(p -> p > 2);
            check.check("pulled back").percentage(p -> p > 2);
        });
    }

    /** Grey noise with a bright line of width 3-6 px from the entry along (ux, uy) for the case's length. */
    private static byte[] frame(Case c, Random r, double ex, double ey, double ux, double uy) {
        byte[] px = new byte[c.w() * c.h()];
        double half = 1.5 + r.nextDouble() * 1.5;
        int contrast = 15 + r.nextInt(60);
        double noise = 4 + r.nextDouble() * 14;
        for (int y = 0; y < c.h(); y++) {
            for (int x = 0; x < c.w(); x++) {
                double t = (x - ex) * ux + (y - ey) * uy;
                double o = -(x - ex) * uy + (y - ey) * ux;
                double v = 60 + r.nextGaussian() * noise;
                if (t >= 0 && t <= c.lineLength() && Math.abs(o) <= half) {
                    v += contrast;
                }
                px[y * c.w() + x] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
            }
        }
        return px;
    }

    private static InstrumentDetection detection(double ex, double ey, double ux, double uy, double tipAlong,
                                                 boolean sure) {
        InstrumentDetection d = new InstrumentDetection();
        d.set((byte) 1, (float) ex, (float) ey, (float) (ex + tipAlong * ux), (float) (ey + tipAlong * uy),
                sure ? 0.8f : 0.2f);
        return d;
    }
}
