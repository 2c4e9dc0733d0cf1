package org.intravis.ui.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.capture.igtl.AsciiNumbers;
import org.intravis.capture.igtl.IgtlImage;
import org.intravis.capture.igtl.IgtlMetadata;
import org.intravis.capture.igtl.IgtlPoint;
import org.intravis.capture.igtl.IgtlTransform;
import org.intravis.capture.igtl.IgtlWire;
import org.intravis.capture.igtl.IgtlWriter;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.VideoSink;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stream's frames as OpenIGTLink, on its video thread: per frame one buffer holding the IMAGE (8-bit grey, or RGB for
 * a colour stream), a TRANSFORM per confident tip and the POINT list of every tip, from the annotations the video
 * branch attached to this frame (only while they are fresh, so a peer never gets old tips as new). The buffer goes to
 * every client as a {@code retainedDuplicate()} (newest wins per client) and is released once; with no client
 * connected nothing is built.
 * <p>
 * Positions are in the image frame of {@link IgtlImage#writeHeader}: x = column x spacing, y = row x spacing, z = 0,
 * in mm when the stream's pixel spacing is known, else in pixels. Nothing is allocated per frame here (the buffer comes
 * from the pool).
 */
final class IgtlFrameSender extends IgtlStreamSender implements VideoSink {
    private static final Logger LOG = Logger.getLogger(IgtlFrameSender.class.getName());
    private static final byte[] IMAGE = IgtlWire.type(IgtlWire.IMAGE);
    private static final byte[] TRANSFORM = IgtlWire.type(IgtlWire.TRANSFORM);
    private static final byte[] POINT = IgtlWire.type(IgtlWire.POINT);
    private static final byte[] GROUP = IgtlWire.field("Tip", IgtlPoint.GROUP_SIZE);
    private static final int GREEN = 0x00ff0000;
    private static final int AMBER = 0xffbf0000;
    private static final String[] STATES = {"tentative", "confirmed", "coasting", "lost"};
    private static final byte[] K_FRAME = IgtlMetadata.key("FrameId");
    private static final byte[] K_STREAM = IgtlMetadata.key("Stream");
    private static final byte[] K_CAPTURE = IgtlMetadata.key("CaptureTimeUs");
    private static final byte[] K_SPACING = IgtlMetadata.key("PixelSpacingMm");
    private static final byte[] K_UNITS = IgtlMetadata.key("Units");
    private static final byte[] K_ANNOTATED = IgtlMetadata.key("AnnotatedFrameId");
    private static final byte[] K_AGE = IgtlMetadata.key("AgeMs");
    private static final byte[] K_MODEL = IgtlMetadata.key("Model");
    private static final byte[] K_TRACK = IgtlMetadata.key("TrackId");
    private static final byte[] K_CONFIDENCE = IgtlMetadata.key("Confidence");
    private static final byte[] K_STATE = IgtlMetadata.key("State");
    private static final byte[] K_TIPS = IgtlMetadata.key("Tips");


    // ---- video thread ----
    private final ByteBuf name = Unpooled.buffer(IgtlPoint.NAME_SIZE, IgtlPoint.NAME_SIZE);
    private final int[] rank = new int[Annotations.MAX_TIPS];
    private byte[] row = new byte[0];
    private long errors;

    IgtlFrameSender(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        super(server, index, names, spacingMm);
    }

    @Override
    public void onFrame(FrameSlot slot) {
        IgtlClient[] clients = clients();
        if (clients.length == 0) {
            return;
        }
        ByteBuf msg = null;
        try {
            msg = bundle(slot);
            for (IgtlClient c : clients) {
                c.offerFrame(index, msg.retainedDuplicate());
            }
        } catch (RuntimeException e) {
            if (errors++ < 5 || errors % 1000 == 0) {
                LOG.log(Level.WARNING, "openigtlink: stream " + names.streamId + ": frame " + slot.frameId()
                        + " not sent (" + errors + " so far)", e);
            }
        } finally {
            if (msg != null) {
                msg.release();
            }
        }
    }

    private ByteBuf bundle(FrameSlot slot) {
        Annotations a = slot.annotations();
        boolean known = a.status() == Annotations.Status.VALID && slot.overlayFresh();
        double spacing = spacingMm(a, known);
        float s = spacing > 0 ? (float) spacing : 1f;
        int w = slot.width();
        int h = slot.height();
        int components = slot.format() == PixelFormat.GRAY8 ? 1 : 3;
        int tips = known ? a.tipCount() : 0;
        int confident = rankConfident(a, tips);
        int perMessage = IgtlWire.HEADER_SIZE + (v3 ? IgtlWire.EXT_HEADER_SIZE + 400 : 0);
        int capacity = perMessage + IgtlImage.contentSize(components, w, h)
                + confident * (perMessage + IgtlTransform.CONTENT_SIZE)
                + (tips > 0 ? perMessage + tips * IgtlPoint.ELEMENT_SIZE : 0);
        ByteBuf msg = server.alloc().directBuffer(capacity);
        try {
            long frameTs = IgtlWire.timestamp(slot.captureEpochMicros());
            // IMAGE
            if (v3) {
                meta.clear().put(K_FRAME, slot.frameId()).put(K_STREAM, names.streamId)
                        .put(K_CAPTURE, slot.captureEpochMicros()).put(K_SPACING, spacing, 6)
                        .put(K_UNITS, spacing > 0 ? "mm" : "px");
            }
            int start = IgtlWriter.begin(msg, headerVersion, IMAGE, names.image, frameTs, messageId++);
            IgtlImage.writeHeader(msg, components, w, h, spacing);
            writePixels(slot, msg, components);
            IgtlWriter.end(msg, start, v3 ? meta : null);
            if (tips == 0) {
                return msg;
            }
            long tipTs = IgtlWire.timestamp(a.captureEpochMicros());
            // a TRANSFORM per confident tip, named by kind and rank
            for (int i = 0; i < tips; i++) {
                if (rank[i] < 0) {
                    continue;
                }
                if (v3) {
                    tipMeta(slot, a, i, spacing);
                }
                start = IgtlWriter.begin(msg, headerVersion, TRANSFORM, names.tip[a.tipKind[i]][rank[i]], tipTs, messageId++);
                IgtlTransform.writeTranslation(msg, a.tipX[i] * s, a.tipY[i] * s, 0);
                IgtlWriter.end(msg, start, v3 ? meta : null);
            }
            // the POINT list of every tip
            if (v3) {
                meta.clear().put(K_FRAME, slot.frameId()).put(K_ANNOTATED, a.frameId()).put(K_AGE, slot.overlayAgeMillis())
                        .put(K_MODEL, a.modelName()).put(K_TIPS, tips).put(K_UNITS, spacing > 0 ? "mm" : "px");
            }
            start = IgtlWriter.begin(msg, headerVersion, POINT, names.tips, tipTs, messageId++);
            for (int i = 0; i < tips; i++) {
                float c = a.tipConfidence[i];
                pointName(a, i);
                int colour = (c >= Annotations.LOW_CONFIDENCE ? GREEN : AMBER) | Math.round(Math.max(0, Math.min(1, c)) * 255);
                IgtlPoint.writeElement(msg, name.array(), name.writerIndex(), GROUP, colour, a.tipX[i] * s,
                        a.tipY[i] * s, 0, 0, names.image);
            }
            IgtlWriter.end(msg, start, v3 ? meta : null);
            return msg;
        } catch (RuntimeException e) {
            msg.release();
            throw e;
        }
    }

    /**
     * Ranks the confident tips (confirmed, at least {@link Annotations#LOW_CONFIDENCE}) of each kind by
     * track id, oldest first, into {@link #rank} (-1: not confident); returns how many there are.
     */
    private int rankConfident(Annotations a, int tips) {
        int n = 0;
        for (int i = 0; i < tips; i++) {
            rank[i] = confident(a, i) && a.tipKind[i] >= 0 && a.tipKind[i] < IgtlDeviceNames.kinds() ? 0 : -1;
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

    /** A confirmed track's tip at or above the low mark (a coasting tip is a prediction, shown under it). */
    private static boolean confident(Annotations a, int i) {
        return a.tipState[i] == Annotations.TRACK_CONFIRMED && a.tipConfidence[i] >= Annotations.LOW_CONFIDENCE;
    }

    private void tipMeta(FrameSlot slot, Annotations a, int i, double spacing) {
        byte st = a.tipState[i];
        meta.clear().put(K_FRAME, slot.frameId()).put(K_ANNOTATED, a.frameId()).put(K_TRACK, a.tipId[i])
                .put(K_CONFIDENCE, a.tipConfidence[i], 3).put(K_STATE, st >= 0 && st < STATES.length ? STATES[st] : "")
                .put(K_MODEL, a.modelName()).put(K_AGE, slot.overlayAgeMillis()).put(K_CAPTURE, a.captureEpochMicros())
                .put(K_UNITS, spacing > 0 ? "mm" : "px");
    }

    /** "Needle 3 0.87 confirmed": kind, track id, confidence, state. */
    private void pointName(Annotations a, int i) {
        name.clear();
        String kind = IgtlDeviceNames.kindName(a.tipKind[i]);
        for (int k = 0; k < kind.length(); k++) {
            name.writeByte(kind.charAt(k));
        }
        name.writeByte(' ');
        AsciiNumbers.writeLong(name, a.tipId[i]);
        name.writeByte(' ');
        AsciiNumbers.writeDecimal(name, a.tipConfidence[i], 2);
        byte st = a.tipState[i];
        if (st >= 0 && st < STATES.length) {
            name.writeByte(' ');
            String state = STATES[st];
            for (int k = 0; k < state.length(); k++) {
                name.writeByte(state.charAt(k));
            }
        }
    }

    /** The frame's rows, packed (grey as is; colour from the slot's BGR to OpenIGTLink's RGB). */
    private void writePixels(FrameSlot slot, ByteBuf out, int components) {
        int w = slot.width();
        int rowBytes = w * components;
        if (row.length < rowBytes) {
            row = new byte[rowBytes]; // once, at the stream's first frame of this width
        }
        java.nio.ByteBuffer px = slot.pixels();
        int stride = slot.stride();
        for (int y = 0; y < slot.height(); y++) {
            px.get(y * stride, row, 0, rowBytes);
            if (components == 3) {
                for (int x = 0; x < rowBytes; x += 3) {
                    byte b = row[x];
                    row[x] = row[x + 2];
                    row[x + 2] = b;
                }
            }
            out.writeBytes(row, 0, rowBytes);
        }
    }
}
