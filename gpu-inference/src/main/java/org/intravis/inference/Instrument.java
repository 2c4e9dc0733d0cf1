package org.intravis.inference;

import java.util.function.BiFunction;

/**
 * The instruments a model's output may find, by the name of their channel, each with the locator that finds it in
 * a mask. A new instrument (a catheter, an endoscopic tool) is a locator and a line here; its model's sidecar names
 * the channel and gives it the role {@code instrument}.
 */
public enum Instrument {
    /** A straight needle: the end of its fitted shaft away from where it enters. */
    NEEDLE("needle", NeedleLocator::new),
    /** A flexible guidewire: the free end of its skeleton. */
    WIRE("wire", WireLocator::new);

    private final String channel;
    private final BiFunction<Integer, Integer, InstrumentLocator> locator;

    Instrument(String channel, BiFunction<Integer, Integer, InstrumentLocator> locator) {
        this.channel = channel;
        this.locator = locator;
    }

    /** The channel name a sidecar gives it. */
    public String channel() {
        return channel;
    }

    /** A new locator working at {@code width x height} (allocates; one per thread). */
    public InstrumentLocator locator(int width, int height) {
        return locator.apply(width, height);
    }

    /** The instrument whose channel is called {@code channel}, or null. */
    public static Instrument named(String channel) {
        for (Instrument i : values()) {
            if (i.channel.equals(channel)) {
                return i;
            }
        }
        return null;
    }

    static String names() {
        StringBuilder b = new StringBuilder();
        for (Instrument i : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(i.channel);
        }
        return b.toString();
    }
}
