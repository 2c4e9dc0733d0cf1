package org.intravis.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The instruments a model's output may find, by the name of their channel (the constant's name in lower case), each
 * with the locator that finds it in a mask. A new instrument (a catheter, an endoscopic tool) is a locator and a
 * line here; its model's sidecar names the channel and gives it the role {@code instrument}.
 */
public enum Instrument {
    /** A straight needle: the end of its fitted shaft away from where it enters. */
    NEEDLE(NeedleLocator::new),
    /** A flexible guidewire: the free end of its skeleton. */
    WIRE(WireLocator::new);

    private final BiFunction<Integer, Integer, InstrumentLocator> locator;

    Instrument(BiFunction<Integer, Integer, InstrumentLocator> locator) {
        this.locator = locator;
    }

    /** The channel name a sidecar gives it. */
    public String channel() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A new locator working at {@code width x height} (allocates; one per thread). */
    public InstrumentLocator locator(int width, int height) {
        return locator.apply(width, height);
    }

    /** The instrument whose channel is called {@code channel}, or null. */
    public static Instrument named(String channel) {
        return Arrays.stream(values()).filter(i -> i.channel().equals(channel)).findFirst().orElse(null);
    }

    static String names() {
        return Arrays.stream(values()).map(Instrument::channel).collect(Collectors.joining(", "));
    }
}
