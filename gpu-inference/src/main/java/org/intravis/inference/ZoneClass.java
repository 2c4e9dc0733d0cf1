package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * The anatomy a model's zone channel may be, by channel name, with the overlay's zone class
 * ({@code Annotations.ZONE_...}, named in the overlay message) it is drawn as.
 */
public enum ZoneClass {
    VESSEL("vessel", Annotations.ZONE_VESSEL),
    NERVE("nerve", Annotations.ZONE_NERVE);

    private final String channel;
    private final byte kind;

    ZoneClass(String channel, byte kind) {
        this.channel = channel;
        this.kind = kind;
    }

    public String channel() {
        return channel;
    }

    /** The overlay's zone class ({@link Annotations#ZONE_VESSEL} ...). */
    public byte kind() {
        return kind;
    }

    /** The zone class whose channel is called {@code channel}, or null. */
    public static ZoneClass named(String channel) {
        for (ZoneClass z : values()) {
            if (z.channel.equals(channel)) {
                return z;
            }
        }
        return null;
    }

    static String names() {
        StringBuilder b = new StringBuilder();
        for (ZoneClass z : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(z.channel);
        }
        return b.toString();
    }
}
