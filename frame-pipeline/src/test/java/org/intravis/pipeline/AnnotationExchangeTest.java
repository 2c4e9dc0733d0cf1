package org.intravis.pipeline;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class AnnotationExchangeTest {

    @Test
    void nothingPublishedReadsAsNothingKnown() {
        AnnotationExchange x = new AnnotationExchange();
        Annotations into = new Annotations();
        into.status(Annotations.Status.VALID);
        assertThat(x.readInto(into)).isZero();
        assertThat(into.status()).isEqualTo(Annotations.Status.NONE);
        assertThat(into.ageMillisAt(System.nanoTime())).isEqualTo(-1);
    }

    @Test
    void readersNeverSeeHalfOfTwoSets() throws Exception {
        AnnotationExchange x = new AnnotationExchange();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong torn = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        Thread writer = new Thread(() -> {
            Annotations a = new Annotations();
            for (int k = 1; !stop.get(); k++) {
                a.clearResults();
                a.status(Annotations.Status.VALID).frameId(k);
                int tips = 1 + k % Annotations.MAX_TIPS;
                for (int t = 0; t < tips; t++) {
                    a.addTip(t, Annotations.INSTRUMENT_NEEDLE, Annotations.TRACK_CONFIRMED, k, k, 0, 0, 1);
                }
                a.beginZone(k, Annotations.ZONE_VESSEL, false, 1, 1);
                for (int p = 0; p < 3 + k % 50; p++) {
                    a.addZonePoint(k, p);
                }
                x.publish(a);
            }
        }, "writer");
        writer.start();
        Annotations r = new Annotations();
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end) {
            if (x.readInto(r) == 0) {
                continue;
            }
            reads.incrementAndGet();
            long k = r.frameId();
            boolean consistent = r.tipCount() == 1 + k % Annotations.MAX_TIPS
                    && r.zonePointCount[0] == 3 + k % 50 && r.zoneId[0] == k;
            for (int t = 0; t < r.tipCount(); t++) {
                consistent &= r.tipX[t] == (float) k;
            }
            for (int p = 0; p < r.zonePointCount[0]; p++) {
                consistent &= r.zonePointX(0, p) == (float) k;
            }
            if (!consistent) {
                torn.incrementAndGet();
            }
        }
        stop.set(true);
        writer.join();
        assertThat(reads.get()).isPositive();
        assertThat(torn.get()).isZero();
    }

    @Test
    void listenersAreToldOfEveryPublish() {
        AtomicLong told = new AtomicLong();
        AnnotationExchange x = new AnnotationExchange(a -> told.addAndGet(a.frameId()));
        Annotations a = new Annotations();
        x.publish(a.frameId(3));
        x.publish(a.frameId(4));
        assertThat(told.get()).isEqualTo(7);
        assertThat(x.version()).isEqualTo(4);
    }
}
