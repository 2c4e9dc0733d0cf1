package org.intravis.inference;

import org.intravis.pipeline.AnnotationExchange;
import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.StageLatency;
import org.intravis.pipeline.StreamCounters;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A test stream's outputs: its exchange, counters and latency, and a copy of every set it published. */
final class Recorder implements AnnotationListener {
    final List<Annotations> published = new CopyOnWriteArrayList<>();
    final AnnotationExchange exchange = new AnnotationExchange(this);
    final StreamCounters counters = new StreamCounters();
    final StageLatency latency = new StageLatency();

    @Override
    public void onAnnotations(Annotations completed) {
        Annotations copy = new Annotations();
        copy.copyFrom(completed);
        published.add(copy);
    }

    StreamRegistration registration(String streamId, int index, double spacing, String model) {
        return new StreamRegistration(streamId, index, exchange, counters, latency, spacing, model);
    }

    /** Waits (up to 10 s) for a published set matching {@code p}; returns it. */
    Annotations await(Predicate<Annotations> p) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            for (Annotations a : published) {
                if (p.test(a)) {
                    return a;
                }
            }
            Thread.sleep(5);
        }
        StringBuilder c = new StringBuilder();
        for (org.intravis.pipeline.Counter k : org.intravis.pipeline.Counter.values()) {
            c.append(' ').append(k.metricName()).append('=').append(counters.get(k));
        }
        throw new AssertionError("nothing matching was published within 10 s; published: " + published + "; counters:" + c);
    }

    Annotations last() {
        return published.isEmpty() ? null : published.get(published.size() - 1);
    }
}
