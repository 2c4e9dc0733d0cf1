package org.intravis.perf;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Garbage collections over an interval, without JFR: collection counts and accumulated time from the
 * {@link GarbageCollectorMXBean}s, and each collection's duration from their notifications (the longest is the
 * worst pause a frame could have met; for G1's young and mixed collections the duration is the pause).
 */
final class GcWatch implements AutoCloseable {
    private final List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onNotification;
    private final List<long[]> pauses = new ArrayList<>(); // {start ms since JVM start, duration ms}
    private long startCount;
    private long startMillis;
    private long startUptime;

    GcWatch() {
        for (GarbageCollectorMXBean b : beans) {
            if (b instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
        begin();
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        if (info.getGcName().contains("Concurrent")) {
            return; // a concurrent cycle runs beside the application: not a pause
        }
        synchronized (pauses) {
            pauses.add(new long[] {info.getGcInfo().getStartTime(), info.getGcInfo().getDuration()});
        }
    }

    /** Starts the interval. */
    synchronized void begin() {
        startCount = count();
        startMillis = millis();
        startUptime = ManagementFactory.getRuntimeMXBean().getUptime();
    }

    private long count() {
        return beans.stream().mapToLong(b -> Math.max(0, b.getCollectionCount())).sum();
    }

    private long millis() {
        return beans.stream().mapToLong(b -> Math.max(0, b.getCollectionTime())).sum();
    }

    /**
     * Collections, their total milliseconds and the longest one, since {@link #begin()}. Notifications arrive a
     * little after the collection, so the longest is taken over those that began in the interval, waiting briefly
     * for the last ones.
     */
    synchronized long[] since() throws InterruptedException {
        long count = count() - startCount;
        long millis = millis() - startMillis;
        long endUptime = ManagementFactory.getRuntimeMXBean().getUptime();
        long max = 0;
        long seen = 0;
        for (int wait = 0; wait < 20; wait++) {
            max = 0;
            seen = 0;
            synchronized (pauses) {
                for (long[] p : pauses) {
                    if (p[0] >= startUptime && p[0] <= endUptime) {
                        seen++;
                        max = Math.max(max, p[1]);
                    }
                }
            }
            if (seen >= count) {
                break;
            }
            Thread.sleep(25);
        }
        return new long[] {count, millis, max};
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
