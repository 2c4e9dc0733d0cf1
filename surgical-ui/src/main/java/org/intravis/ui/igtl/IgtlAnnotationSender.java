package org.intravis.ui.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.capture.igtl.AsciiNumbers;
import org.intravis.capture.igtl.IgtlMetadata;
import org.intravis.capture.igtl.IgtlPoint;
import org.intravis.capture.igtl.IgtlTransform;
import org.intravis.capture.igtl.IgtlPolyData;
import org.intravis.capture.igtl.IgtlString;
import org.intravis.capture.igtl.IgtlWire;
import org.intravis.capture.igtl.IgtlWriter;
import org.intravis.pipeline.AnnotationListener;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.PipelineClock;
import org.intravis.streamer.AlertTracker;

/**
 * A stream's annotations as OpenIGTLink, on the thread that completes them (the model's worker), as soon as they are
 * complete (they do not wait for the next video frame): per inference one buffer with a TRANSFORM per confident tip
 * (confirmed or coasting track, confidence at least {@link Annotations#LOW_CONFIDENCE}), the POINT list of every tip,
 * and the risk zones' outlines as closed poly-lines, one POLYDATA per zone class ({@code _Nerve}, {@code _Vessel},
 * {@code _NoGo}; an empty one when the class has no zone now, so a peer's model is cleared rather than left stale).
 * It goes to every client, newest wins. Each alert event (raise, update, clear: every one, in order) is a STRING on
 * the stream's {@code _Alert} device; those queue.
 * <p>
 * Every message's timestamp is the capture time of the frame the annotations describe. Positions are in the image
 * frame of {@link org.intravis.capture.igtl.IgtlImage#writeHeader}: mm when the pixel spacing is known, else pixels.
 * The STRING reads, e.g., {@code raise WARNING proximity tip 3 nerve zone 12 4.2 mm frame 1234} (the distance in px
 * when the spacing is unknown; a clear for lack of AI ends with {@code reason ai-failed} or {@code ai-unknown}).
 * Nothing is allocated per inference but the pooled buffers.
 */
final class IgtlAnnotationSender implements AnnotationListener {
    private static final byte[] STRING = IgtlWire.type(IgtlWire.STRING);
    private static final byte[] TRANSFORM = IgtlWire.type(IgtlWire.TRANSFORM);
    private static final byte[] POINT = IgtlWire.type(IgtlWire.POINT);
    private static final byte[] GROUP = IgtlWire.field("Tip", IgtlPoint.GROUP_SIZE);
    private static final int GREEN = 0x00ff0000;
    private static final int AMBER = 0xffbf0000;
    private static final String[] STATES = {"tentative", "confirmed", "coasting", "lost"};
    private static final byte[] K_TRACK = IgtlMetadata.key("TrackId");
    private static final byte[] K_CONFIDENCE = IgtlMetadata.key("Confidence");
    private static final byte[] K_STATE = IgtlMetadata.key("State");
    private static final byte[] K_TIPS = IgtlMetadata.key("Tips");
    private static final byte[] K_VERSION = IgtlMetadata.key("ModelVersion");
    private static final byte[] K_INFERRED = IgtlMetadata.key("InferredTimeUs");
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

    private final IgtlServer server;
    private final int index;
    private final IgtlDeviceNames names;
    private final double streamSpacingMm;
    private final int headerVersion;
    private final boolean v3;

    // ---- the annotating thread ----
    private final AlertTracker alerts = new AlertTracker();
    private final AlertTracker.Emitter emitter = this::alert;
    private final IgtlMetadata meta = new IgtlMetadata();
    private final ByteBuf name = Unpooled.buffer(IgtlPoint.NAME_SIZE, IgtlPoint.NAME_SIZE);
    private final int[] rank = new int[Annotations.MAX_TIPS];
    private long messageId;
    private boolean zonesCleared;
    private volatile boolean closed;

    IgtlAnnotationSender(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        this.server = server;
        this.index = index;
        this.names = names;
        this.streamSpacingMm = spacingMm;
        this.headerVersion = server.settings().headerVersion();
        this.v3 = headerVersion == IgtlWire.HEADER_V2;
    }

    @Override
    public void onAnnotations(Annotations a) {
        if (closed) {
            return;
        }
        alerts.update(a, emitter); // always, so that the events have no gaps when a client connects
        IgtlClient[] clients = server.clients();
        if (clients.length == 0) {
            zonesCleared = false;
            return;
        }
        boolean valid = a.status() == Annotations.Status.VALID;
        if (!valid && zonesCleared) {
            return; // the empty outlines were sent once; tips are not sent while nothing is known
        }
        ByteBuf msg = bundle(a, valid);
        zonesCleared = !valid;
        try {
            for (IgtlClient c : clients) {
                c.offerAnnotations(index, msg.retainedDuplicate());
            }
        } finally {
            msg.release();
        }
    }

    /** The tips' TRANSFORMs and POINT list (when valid) and the three classes' POLYDATA, in one buffer. */
    private ByteBuf bundle(Annotations a, boolean valid) {
        double spacing = valid && a.pixelSpacingMm() > 0 ? a.pixelSpacingMm() : streamSpacingMm;
        float s = spacing > 0 ? (float) spacing : 1f;
        int tips = valid ? a.tipCount() : 0;
        int confident = rankConfident(a, tips);
        int zones = valid ? a.zoneCount() : 0;
        int points = valid ? a.pointCount() : 0;
        int perMessage = IgtlWire.HEADER_SIZE + (v3 ? IgtlWire.EXT_HEADER_SIZE + 300 : 0);
        int capacity = confident * (perMessage + IgtlTransform.CONTENT_SIZE)
                + (tips > 0 ? perMessage + tips * IgtlPoint.ELEMENT_SIZE : 0)
                + 3 * perMessage + IgtlPolyData.contentSize(points, zones, points + zones) + 2 * IgtlPolyData.HEADER_SIZE;
        ByteBuf msg = server.alloc().directBuffer(capacity);
        try {
            long ts = IgtlWire.timestamp(a.captureEpochMicros());
            for (int i = 0; i < tips; i++) {
                if (rank[i] < 0) {
                    continue;
                }
                if (v3) {
                    byte st = a.tipState[i];
                    header(a, spacing).put(K_TRACK, a.tipId[i]).put(K_CONFIDENCE, a.tipConfidence[i], 3)
                            .put(K_STATE, st >= 0 && st < STATES.length ? STATES[st] : "");
                }
                int start = IgtlWriter.begin(msg, headerVersion, TRANSFORM, names.tip[a.tipKind[i]][rank[i]], ts,
                        messageId++);
                IgtlTransform.writeTranslation(msg, a.tipX[i] * s, a.tipY[i] * s, 0);
                IgtlWriter.end(msg, start, v3 ? meta : null);
            }
            if (tips > 0) {
                if (v3) {
                    header(a, spacing).put(K_TIPS, tips);
                }
                int start = IgtlWriter.begin(msg, headerVersion, POINT, names.tips, ts, messageId++);
                for (int i = 0; i < tips; i++) {
                    float c = a.tipConfidence[i];
                    pointName(a, i);
                    int colour = (c >= Annotations.LOW_CONFIDENCE ? GREEN : AMBER)
                            | Math.round(Math.max(0, Math.min(1, c)) * 255);
                    IgtlPoint.writeElement(msg, name.array(), name.writerIndex(), GROUP, colour, a.tipX[i] * s,
                            a.tipY[i] * s, 0, 0, names.image);
                }
                IgtlWriter.end(msg, start, v3 ? meta : null);
            }
            zones(msg, a, zones, s, spacing, ts);
            return msg;
        } catch (RuntimeException e) {
            msg.release();
            throw e;
        }
    }

    /** The metadata every annotation message has (version 3). */
    private IgtlMetadata header(Annotations a, double spacing) {
        return meta.clear().put(K_FRAME, a.frameId()).put(K_MODEL, a.modelName()).put(K_VERSION, a.modelVersion())
                .put(K_CAPTURE, a.captureEpochMicros())
                .put(K_INFERRED, a.inferredNanos() == 0 ? 0 : PipelineClock.epochMicros(a.inferredNanos()))
                .put(K_UNITS, spacing > 0 ? "mm" : "px");
    }

    /** The three zone classes' POLYDATA. */
    private void zones(ByteBuf msg, Annotations a, int zones, float s, double spacing, long ts) {
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
                header(a, spacing).put(K_ZONES, lines);
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
    }

    /**
     * Ranks the confident tips of each kind by track id, oldest first, into {@link #rank} (-1: not confident, or a kind
     * without device names); returns how many there are.
     */
    private int rankConfident(Annotations a, int tips) {
        int n = 0;
        for (int i = 0; i < tips; i++) {
            byte st = a.tipState[i];
            boolean confident = (st == Annotations.TRACK_CONFIRMED || st == Annotations.TRACK_COASTING)
                    && a.tipConfidence[i] >= Annotations.LOW_CONFIDENCE;
            rank[i] = confident && a.tipKind[i] >= 0 && a.tipKind[i] < IgtlDeviceNames.kinds() ? 0 : -1;
        }
        for (int i = 0; i < tips; i++) {
            if (rank[i] < 0) {
                continue;
            }
            n++;
            for (int j = 0; j < tips; j++) {
                if (j != i && rank[j] >= 0 && a.tipKind[j] == a.tipKind[i] && a.tipId[j] < a.tipId[i]) {
                    rank[i]++;
                }
            }
        }
        return n;
    }

    /** "Needle 3 0.87 confirmed": kind, track id, confidence, state. */
    private void pointName(Annotations a, int i) {
        name.clear();
        ascii(name, IgtlDeviceNames.kindName(a.tipKind[i]));
        name.writeByte(' ');
        AsciiNumbers.writeLong(name, a.tipId[i]);
        name.writeByte(' ');
        AsciiNumbers.writeDecimal(name, a.tipConfidence[i], 2);
        byte st = a.tipState[i];
        if (st >= 0 && st < STATES.length) {
            name.writeByte(' ');
            ascii(name, STATES[st]);
        }
    }

    private void alert(String event, String reason, long id, int level, int kind, int tip, int zoneId, int zoneIndex,
                       int zoneClass, float mm, float px, long frameId, long captureUs) {
        IgtlClient[] clients = server.clients();
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

    void close() {
        closed = true;
    }
}
