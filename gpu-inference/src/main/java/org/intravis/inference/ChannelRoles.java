package org.intravis.inference;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Each output channel's {@link OutputRole}, from the sidecar's {@code outputs[0].roles}
 * ({@code {"needle": "instrument", "vessel": "zone", "tip": "tip-map"}}), checked when the model loads: every channel
 * has a role, the role is known, an instrument channel names an {@link Instrument}, a zone channel a
 * {@link ZoneClass}, at most one channel is the instrument and at most one the tip map, and a tip map has an
 * instrument to confirm. A sidecar without {@code roles} (written before they existed) gets the roles its channel
 * names imply ({@link OutputRole#implied}). {@link OutputDecoder} builds its decoding from this.
 */
public final class ChannelRoles {
    private final List<String> channels;
    private final OutputRole[] roles;
    private final int instrumentChannel;
    private final int tipChannel;

    private ChannelRoles(List<String> channels, OutputRole[] roles, int instrumentChannel, int tipChannel) {
        this.channels = channels;
        this.roles = roles;
        this.instrumentChannel = instrumentChannel;
        this.tipChannel = tipChannel;
    }

    /** Reads and checks the roles of {@code channels} from {@code output} ({@code outputs[0]}); {@code where} names the sidecar. */
    static ChannelRoles parse(JsonNode output, List<String> channels, String where) throws ModelLoadException {
        String prefix = "sidecar " + where + ": ";
        OutputRole[] roles = new OutputRole[channels.size()];
        JsonNode declared = output.get("roles");
        if (declared == null) {
            for (int c = 0; c < roles.length; c++) {
                roles[c] = OutputRole.implied(channels.get(c));
            }
        } else {
            if (!declared.isObject()) {
                throw new ModelLoadException(prefix + "outputs[0].roles must map each channel to its role "
                        + "(e.g. {\"needle\": \"instrument\", \"vessel\": \"zone\", \"tip\": \"tip-map\"})");
            }
            for (Iterator<String> it = declared.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!channels.contains(name)) {
                    throw new ModelLoadException(prefix + "outputs[0].roles names channel '" + name
                            + "', which is not among its channels " + channels);
                }
            }
            for (int c = 0; c < roles.length; c++) {
                String name = channels.get(c);
                JsonNode r = declared.get(name);
                if (r == null || !r.isTextual()) {
                    throw new ModelLoadException(prefix + "channel '" + name + "' has no role in outputs[0].roles "
                            + "(one of " + OutputRole.words() + ")");
                }
                roles[c] = OutputRole.parse(r.asText());
                if (roles[c] == null) {
                    throw new ModelLoadException(prefix + "channel '" + name + "' has the unknown role '" + r.asText()
                            + "' (known roles: " + OutputRole.words() + ")");
                }
            }
        }
        int instrument = -1;
        int tip = -1;
        for (int c = 0; c < roles.length; c++) {
            String name = channels.get(c);
            switch (roles[c]) {
                case INSTRUMENT -> {
                    if (Instrument.named(name) == null) {
                        throw new ModelLoadException(prefix + "channel '" + name + "' is an instrument that no "
                                + "locator finds (known instruments: " + Instrument.names() + ")");
                    }
                    if (instrument >= 0) {
                        throw new ModelLoadException(prefix + "channels '" + channels.get(instrument) + "' and '"
                                + name + "' are both instruments; one model output locates one instrument");
                    }
                    instrument = c;
                }
                case ZONE -> {
                    if (ZoneClass.named(name) == null) {
                        throw new ModelLoadException(prefix + "channel '" + name + "' is a zone of no known class "
                                + "(known zones: " + ZoneClass.names() + ")");
                    }
                }
                case TIP_MAP -> {
                    if (tip >= 0) {
                        throw new ModelLoadException(prefix + "channels '" + channels.get(tip) + "' and '" + name
                                + "' are both tip maps");
                    }
                    tip = c;
                }
                case OTHER -> { }
            }
        }
        if (tip >= 0 && instrument < 0) {
            throw new ModelLoadException(prefix + "channel '" + channels.get(tip) + "' is a tip map, but no channel is "
                    + "an instrument (role 'instrument') for it to confirm");
        }
        return new ChannelRoles(channels, roles, instrument, tip);
    }

    /** The role of channel {@code c}. */
    public OutputRole role(int c) {
        return roles[c];
    }

    /** The instrument channel's index, -1 when the model finds no instrument. */
    public int instrumentChannel() {
        return instrumentChannel;
    }

    /** The instrument the model finds, or null. */
    public Instrument instrument() {
        return instrumentChannel < 0 ? null : Instrument.named(channels.get(instrumentChannel));
    }

    /** The tip heat map's index, -1 when there is none. */
    public int tipChannel() {
        return tipChannel;
    }

    /** The zone channels' indices, in channel order. */
    public int[] zoneChannels() {
        List<Integer> zones = new ArrayList<>();
        for (int c = 0; c < roles.length; c++) {
            if (roles[c] == OutputRole.ZONE) {
                zones.add(c);
            }
        }
        return zones.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The zone class of channel {@code c} (a zone channel). */
    public ZoneClass zone(int c) {
        return ZoneClass.named(channels.get(c));
    }
}
