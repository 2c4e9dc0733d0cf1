package org.intravis.ui.igtl;

import io.netty.buffer.ByteBuf;
import org.intravis.capture.igtl.AsciiNumbers;
import org.intravis.capture.igtl.IgtlMetadata;
import org.intravis.capture.igtl.IgtlPolyData;
import org.intravis.capture.igtl.IgtlString;
import org.intravis.capture.igtl.IgtlWire;
import org.intravis.capture.igtl.IgtlWriter;
import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.Annotations;
import org.intravis.streamer.AlertTracker;

/**
 * A stream's annotations as OpenIGTLink, on the thread that completes them (the model's worker): each alert event
 * (raise, update, clear: every one, in order) as a STRING on the stream's {@code _Alert} device, and the risk zones'
 * outlines as closed poly-lines, one POLYDATA per zone class ({@code _Nerve}, {@code _Vessel}, {@code _NoGo}; an
 * empty one when the class has no zone now, so a peer's model is cleared rather than left stale). The zones of one
 * inference are one buffer, newest wins per client; alerts queue.
 * <p>
 * The STRING reads, e.g., {@code raise WARNING proximity tip 3 nerve zone 12 4.2 mm frame 1234} (the distance in px
 * when the spacing is unknown; a clear for lack of AI ends with {@code reason ai-failed} or {@code ai-unknown}).
 */
final class IgtlAnnotationSender extends IgtlStreamSender implements AnnotationListener {
    private static final byte[] STRING = IgtlWire.type(IgtlWire.STRING);
    private static final byte[] POLYDATA = IgtlWire.type(IgtlWire.POLYDATA);
    private static final String[] LEVELS = {"NONE", "CAUTION", "WARNING", "CRITICAL"};
    private static final String[] KINDS = {"proximity", "trajectory", "inside"};
    private static final String[] CLASSES = {"zone", "nerve", "vessel", "no-go"};
    private static final byte[] ZONE_CLASSES = {Annotations.ZONE_NERVE, Annotations.ZONE_VESSEL, Annotations.ZONE_NOGO};
    private static final byte[] K_FRAME = IgtlMetadata.key("AnnotatedFrameId");
    private static final byte[] K_ALERT = IgtlMetadata.key("AlertId");
    private static final byte[] K_LEVEL = IgtlMetadata.key("Level");
    private static final byte[] K_EVENT = IgtlMetadata.key("Event");
    private static final byte[] K_MODEL = IgtlMetadata.key("Model");
    private static final byte[] K_ZONES = IgtlMetadata.key("Zones");
    private static final byte[] K_CAPTURE = IgtlMetadata.key("CaptureTimeUs");
    private static final byte[] K_UNITS = IgtlMetadata.key("Units");


    // ---- the annotating thread ----
    private final AlertTracker alerts = new AlertTracker();
    private final AlertTracker.Emitter emitter = this::alert;
    private boolean zonesCleared;

    IgtlAnnotationSender(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        super(server, index, names, spacingMm);
    }

    @Override
    public void onAnnotations(Annotations a) {
        alerts.update(a, emitter); // always, so that the events have no gaps when a client connects
        IgtlClient[] clients = clients();
        if (clients.length == 0) {
            zonesCleared = false;
            return;
        }
        boolean valid = a.status() == Annotations.Status.VALID;
        if (!valid && zonesCleared) {
            return; // the empty outlines were sent once
        }
        ByteBuf msg = zones(a, valid);
        zonesCleared = !valid;
        try {
            for (IgtlClient c : clients) {
                c.offerZones(index, msg.retainedDuplicate());
            }
        } finally {
            msg.release();
        }
    }

    /** The three classes' POLYDATA, one after the other, in one buffer. */
    private ByteBuf zones(Annotations a, boolean valid) {
        double spacing = spacingMm(a, valid);
        float s = spacing > 0 ? (float) spacing : 1f;
        int zones = valid ? a.zoneCount() : 0;
        int capacity = 3 * (IgtlWire.HEADER_SIZE + IgtlWire.EXT_HEADER_SIZE + 200 + IgtlPolyData.HEADER_SIZE)
                + IgtlPolyData.contentSize(valid ? a.pointCount() : 0, zones, (valid ? a.pointCount() : 0) + zones);
        ByteBuf msg = server.alloc().directBuffer(capacity);
        long ts = IgtlWire.timestamp(a.captureEpochMicros());
        for (byte cls : ZONE_CLASSES) {
            int points = 0;
            int lines = 0;
            for (int z = 0; z < zones; z++) {
                if (a.zoneClass[z] == cls && a.zonePointCount[z] >= 2) {
                    points += a.zonePointCount[z];
                    lines++;
                }
            }
            if (v3) {
                meta.clear().put(K_FRAME, a.frameId()).put(K_MODEL, a.modelName()).put(K_ZONES, lines)
                        .put(K_CAPTURE, a.captureEpochMicros()).put(K_UNITS, spacing > 0 ? "mm" : "px");
            }
            int start = IgtlWriter.begin(msg, headerVersion, POLYDATA, names.zones[cls], ts, messageId++);
            IgtlPolyData.writeHeader(msg, points, lines, points + lines); // closed: one more index per line
            for (int z = 0; z < zones; z++) {
                if (a.zoneClass[z] == cls && a.zonePointCount[z] >= 2) {
                    for (int k = 0; k < a.zonePointCount[z]; k++) {
                        IgtlPolyData.writePoint(msg, a.zonePointX(z, k) * s, a.zonePointY(z, k) * s, 0);
                    }
                }
            }
            int first = 0;
            for (int z = 0; z < zones; z++) {
                if (a.zoneClass[z] == cls && a.zonePointCount[z] >= 2) {
                    IgtlPolyData.writeLine(msg, first, a.zonePointCount[z], true);
                    first += a.zonePointCount[z];
                }
            }
            IgtlWriter.end(msg, start, v3 ? meta : null);
        }
        return msg;
    }

    private void alert(String event, String reason, long id, int level, int kind, int tip, int zoneId, int zoneIndex,
                       int zoneClass, float mm, float px, long frameId, long captureUs) {
        IgtlClient[] clients = clients();
        if (clients.length == 0) {
            return;
        }
        ByteBuf msg = server.alloc().directBuffer(512);
        try {
            if (v3) {
                meta.clear().put(K_ALERT, id).put(K_EVENT, event).put(K_LEVEL, name(LEVELS, level))
                        .put(K_FRAME, frameId).put(K_CAPTURE, captureUs);
            }
            int start = IgtlWriter.begin(msg, headerVersion, STRING, names.alert, IgtlWire.timestamp(captureUs), messageId++);
            int header = msg.writerIndex();
            IgtlString.writeHeader(msg, 0); // the length is set below
            int text = msg.writerIndex();
            ascii(msg, event);
            msg.writeByte(' ');
            ascii(msg, name(LEVELS, level));
            msg.writeByte(' ');
            ascii(msg, name(KINDS, kind));
            ascii(msg, " tip ");
            AsciiNumbers.writeLong(msg, tip);
            msg.writeByte(' ');
            ascii(msg, name(CLASSES, zoneClass));
            ascii(msg, " zone ");
            AsciiNumbers.writeLong(msg, zoneId);
            msg.writeByte(' ');
            if (Float.isNaN(mm)) {
                AsciiNumbers.writeDecimal(msg, px, 1);
                ascii(msg, " px");
            } else {
                AsciiNumbers.writeDecimal(msg, mm, 1);
                ascii(msg, " mm");
            }
            ascii(msg, " frame ");
            AsciiNumbers.writeLong(msg, frameId);
            if (reason != null) {
                ascii(msg, " reason ");
                ascii(msg, reason);
            }
            msg.setShort(header + 2, msg.writerIndex() - text);
            IgtlWriter.end(msg, start, v3 ? meta : null);
            for (IgtlClient c : clients) {
                c.offerAlert(msg.retainedDuplicate());
            }
        } finally {
            msg.release();
        }
    }

    private static String name(String[] names, int i) {
        return i >= 0 && i < names.length ? names[i] : "unknown";
    }

    private static void ascii(ByteBuf out, String s) {
        for (int i = 0; i < s.length(); i++) {
            out.writeByte(s.charAt(i));
        }
    }
}
