package org.intravis.ui.igtl;

import io.netty.buffer.ByteBuf;
import org.intravis.capture.igtl.IgtlImage;
import org.intravis.capture.igtl.IgtlMetadata;
import org.intravis.capture.igtl.IgtlWire;
import org.intravis.capture.igtl.IgtlWriter;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.VideoSink;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stream's frames as OpenIGTLink IMAGE messages, on its video thread: 8-bit grey, or RGB for a colour stream, with
 * the pixel spacing when it is known, in the image frame of {@link IgtlImage#writeHeader}. Each is written once into a
 * pooled buffer and goes to every client as a {@code retainedDuplicate()} (newest wins per client); the original is
 * released once. With no client connected nothing is built; nothing is allocated per frame.
 */
final class IgtlFrameSender implements VideoSink {
    private static final Logger LOG = Logger.getLogger(IgtlFrameSender.class.getName());
    private static final byte[] IMAGE = IgtlWire.type(IgtlWire.IMAGE);
    private static final byte[] K_FRAME = IgtlMetadata.key("FrameId");
    private static final byte[] K_STREAM = IgtlMetadata.key("Stream");
    private static final byte[] K_CAPTURE = IgtlMetadata.key("CaptureTimeUs");
    private static final byte[] K_SPACING = IgtlMetadata.key("PixelSpacingMm");
    private static final byte[] K_UNITS = IgtlMetadata.key("Units");

    private final IgtlServer server;
    private final int index;
    private final IgtlDeviceNames names;
    private final double streamSpacingMm;
    private final int headerVersion;
    private final boolean v3;

    // ---- video thread ----
    private final IgtlMetadata meta = new IgtlMetadata();
    private byte[] row = new byte[0];
    private long messageId;
    private long errors;
    private volatile boolean closed;

    IgtlFrameSender(IgtlServer server, int index, IgtlDeviceNames names, double spacingMm) {
        this.server = server;
        this.index = index;
        this.names = names;
        this.streamSpacingMm = spacingMm;
        this.headerVersion = server.settings().headerVersion();
        this.v3 = headerVersion == IgtlWire.HEADER_V2;
    }

    @Override
    public void onFrame(FrameSlot slot) {
        if (closed) {
            return;
        }
        IgtlClient[] clients = server.clients();
        if (clients.length == 0) {
            return;
        }
        ByteBuf msg = null;
        try {
            msg = image(slot);
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

    private ByteBuf image(FrameSlot slot) {
        Annotations a = slot.annotations();
        double spacing = a.status() == Annotations.Status.VALID && a.pixelSpacingMm() > 0 ? a.pixelSpacingMm()
                : streamSpacingMm;
        int w = slot.width();
        int h = slot.height();
        int components = slot.format() == PixelFormat.GRAY8 ? 1 : 3;
        int capacity = IgtlWire.HEADER_SIZE + (v3 ? IgtlWire.EXT_HEADER_SIZE + 200 : 0)
                + IgtlImage.contentSize(components, w, h);
        ByteBuf msg = server.alloc().directBuffer(capacity);
        try {
            if (v3) {
                meta.clear().put(K_FRAME, slot.frameId()).put(K_STREAM, names.streamId)
                        .put(K_CAPTURE, slot.captureEpochMicros()).put(K_SPACING, spacing, 6)
                        .put(K_UNITS, spacing > 0 ? "mm" : "px");
            }
            int start = IgtlWriter.begin(msg, headerVersion, IMAGE, names.image,
                    IgtlWire.timestamp(slot.captureEpochMicros()), messageId++);
            IgtlImage.writeHeader(msg, components, w, h, spacing);
            writePixels(slot, msg, components);
            IgtlWriter.end(msg, start, v3 ? meta : null);
            return msg;
        } catch (RuntimeException e) {
            msg.release();
            throw e;
        }
    }

    /** The frame's rows, packed (grey as is; colour from the slot's BGR to OpenIGTLink's RGB). */
    private void writePixels(FrameSlot slot, ByteBuf out, int components) {
        int rowBytes = slot.width() * components;
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

    void close() {
        closed = true;
    }
}
