package org.intravis.ui;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed logins per client address: after {@code maxFailures} within {@code windowNanos} the address is refused (429)
 * until its oldest failure leaves the window, so that guessing tokens from one machine costs time. Successful logins
 * do not count. Addresses whose failures have all expired are forgotten.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 10;
    static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int PURGE_ABOVE = 10_000;

    private final int maxFailures;
    private final long windowNanos;
    private final LongSupplier clock;
    private final Map<String, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();

    LoginThrottle() {
        this(MAX_FAILURES, WINDOW_NANOS, System::nanoTime);
    }

    LoginThrottle(int maxFailures, long windowNanos, LongSupplier clock) {
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
        this.clock = clock;
    }

    /** Seconds until {@code address} may try again; 0 when it may now. */
    long retryAfterSeconds(String address) {
        ArrayDeque<Long> q = failures.get(address);
        if (q == null) {
            return 0;
        }
        synchronized (q) {
            long now = clock.getAsLong();
            expire(q, now);
            if (q.size() < maxFailures) {
                return 0;
            }
            return Math.max(1, (q.peekFirst() + windowNanos - now + 999_999_999L) / 1_000_000_000L);
        }
    }

    void failed(String address) {
        long now = clock.getAsLong();
        if (failures.size() > PURGE_ABOVE) {
            failures.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    expire(e.getValue(), now);
                    return e.getValue().isEmpty();
                }
            });
        }
        ArrayDeque<Long> q = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (q) {
            expire(q, now);
            q.addLast(now);
            while (q.size() > maxFailures) {
                q.removeFirst();
            }
        }
    }

    private void expire(ArrayDeque<Long> q, long now) {
        while (!q.isEmpty() && now - q.peekFirst() >= windowNanos) {
            q.removeFirst();
        }
    }
}
