package org.intravis.inference;

import org.intravis.pipeline.Annotations;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The anatomy a model's zone channel may be, by channel name (the constant's name in lower case), with the overlay's
 * zone class ({@code Annotations.ZONE_...}, named in the overlay message) it is drawn as.
 */
public enum ZoneClass {
    VESSEL(Annotations.ZONE_VESSEL),
    NERVE(Annotations.ZONE_NERVE);

    private final byte kind;

    ZoneClass(byte kind) {
        this.kind = kind;
    }

    /** The channel name a sidecar gives it. */
    public String channel() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The overlay's zone class ({@link Annotations#ZONE_VESSEL} ...). */
    public byte kind() {
        return kind;
    }

    /** The zone class whose channel is called {@code channel}, or null. */
    public static ZoneClass named(String channel) {
        return Arrays.stream(values()).filter(z -> z.channel().equals(channel)).findFirst().orElse(null);
    }

    static String names() {
        return Arrays.stream(values()).map(ZoneClass::channel).collect(Collectors.joining(", "));
    }
}
