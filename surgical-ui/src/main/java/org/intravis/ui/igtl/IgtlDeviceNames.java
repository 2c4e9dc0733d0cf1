package org.intravis.ui.igtl;

import org.intravis.capture.igtl.IgtlWire;
import org.intravis.pipeline.Annotations;

/**
 * The device names a stream's messages carry, derived from its id so that a peer (3D Slicer names its nodes after
 * them) finds the same names on every run:
 * <pre>
 *   ID_Image            IMAGE      the frame
 *   ID_Needle, ID_Needle2 .. ID_Needle8, ID_Wire.., ID_Catheter..   TRANSFORM   a confident tip, oldest track first
 *   ID_Tips             POINT      every tip, with its confidence
 *   ID_Alert            STRING     each alert event
 *   ID_Nerve, ID_Vessel, ID_NoGo   POLYDATA   the zones' outlines by class
 * </pre>
 * A device name is at most 20 bytes, so a stream id sent over OpenIGTLink is at most {@link #MAX_STREAM_ID} characters.
 */
public final class IgtlDeviceNames {
    /** 20 bytes less the longest suffix, {@code _Catheter8}. */
    public static final int MAX_STREAM_ID = 10;
    private static final String[] KINDS = {"Needle", "Wire", "Catheter"};

    final byte[] image;
    final byte[] tips;
    final byte[] alert;
    /** By zone class (1 nerve, 2 vessel, 3 no-go). */
    final byte[][] zones = new byte[4][];
    /** By instrument kind, then rank (0: the oldest confident track of that kind). */
    final byte[][][] tip = new byte[KINDS.length][Annotations.MAX_TIPS][];
    final String streamId;

    public IgtlDeviceNames(String streamId) {
        if (streamId.length() > MAX_STREAM_ID) {
            throw new IllegalArgumentException("stream id '" + streamId + "' is longer than " + MAX_STREAM_ID
                    + " characters, too long for OpenIGTLink's 20-byte device names (" + streamId + "_Catheter8)");
        }
        this.streamId = streamId;
        image = IgtlWire.device(streamId + "_Image");
        tips = IgtlWire.device(streamId + "_Tips");
        alert = IgtlWire.device(streamId + "_Alert");
        zones[Annotations.ZONE_NERVE] = IgtlWire.device(streamId + "_Nerve");
        zones[Annotations.ZONE_VESSEL] = IgtlWire.device(streamId + "_Vessel");
        zones[Annotations.ZONE_NOGO] = IgtlWire.device(streamId + "_NoGo");
        for (int k = 0; k < KINDS.length; k++) {
            for (int r = 0; r < Annotations.MAX_TIPS; r++) {
                tip[k][r] = IgtlWire.device(streamId + "_" + KINDS[k] + (r == 0 ? "" : String.valueOf(r + 1)));
            }
        }
    }

    /** The name of a kind of instrument as in the device names ({@code Needle}), for labels. */
    static String kindName(int kind) {
        return kind >= 0 && kind < KINDS.length ? KINDS[kind] : "Tip";
    }

    static int kinds() {
        return KINDS.length;
    }
}
