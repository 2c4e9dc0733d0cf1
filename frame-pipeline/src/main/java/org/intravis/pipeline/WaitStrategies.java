package org.intravis.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;

/**
 * How consumers wait for frames, by configuration name. {@code blocking} suits a machine with few cores (it
 * sleeps until signalled, and backs off rather than spins behind the video branch:
 * {@link BlockingBackoffWaitStrategy}); {@code yielding} and {@code busy-spin} trade a core per consumer for
 * microseconds and belong on machines with cores to spare; {@code sleeping} is a compromise with no signalling cost
 * for capture.
 */
public final class WaitStrategies {
    private WaitStrategies() {
    }

    public static WaitStrategy byName(String name) {
        return switch (name) {
            case "blocking" -> new BlockingBackoffWaitStrategy();
            case "sleeping" -> new SleepingWaitStrategy();
            case "yielding" -> new YieldingWaitStrategy();
            case "busy-spin" -> new BusySpinWaitStrategy();
            default -> throw new IllegalArgumentException(
                    "unknown wait strategy '" + name + "' (use blocking, sleeping, yielding or busy-spin)");
        };
    }
}
