package org.intravis.inference;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a model's output channel is for, as its sidecar says ({@code outputs[0].roles}): how {@link OutputDecoder}
 * turns the channel into what a frame shows. The channel's name says which class (which instrument, which zone).
 */
public enum OutputRole {
    /** An instrument's mask; the channel's name picks its {@link Instrument} (and so its locator). */
    INSTRUMENT("instrument"),
    /** An anatomy mask drawn as zone polygons; the channel's name is the overlay's {@link ZoneClass}. */
    ZONE("zone"),
    /** The tip heat map that confirms the instrument's tip and moves it onto its peak. */
    TIP_MAP("tip-map"),
    /** Shown only in the explainability heat map. */
    OTHER("other");

    private final String word;

    OutputRole(String word) {
        this.word = word;
    }

    /** The word a sidecar uses. */
    public String word() {
        return word;
    }

    /** The role a sidecar names, or null when it names none of them. */
    static OutputRole parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.word.equals(t)).findFirst().orElse(null);
    }

    /**
     * The role of a channel in a sidecar that gives none (written before roles existed): known instrument and zone
     * names keep what they always meant, {@code tip} is the tip map, anything else only the heat map.
     */
    static OutputRole implied(String channel) {
        if (Instrument.named(channel) != null) {
            return INSTRUMENT;
        }
        if (ZoneClass.named(channel) != null) {
            return ZONE;
        }
        return channel.equals("tip") ? TIP_MAP : OTHER;
    }

    static String words() {
        return Arrays.stream(values()).map(OutputRole::word).collect(Collectors.joining(", "));
    }
}
