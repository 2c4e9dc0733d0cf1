package org.intravis.streamer;

import io.netty.buffer.ByteBuf;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connected client of one stream, with per-client back-pressure where the newest frame wins.
 * <p>
 * Producers (the stream's video thread, its inference worker) never wait for a client: they put a
 * {@code retainedDuplicate()} of the shared message into a one-message {@link Mailbox} per kind (video, overlay,
 * heat map), releasing whatever was still there (counted as dropped or coalesced), and schedule a drain on the
 * client's event loop. The drain writes at most one message of each kind at a time; the next one is taken only
 * when the previous has left for the socket. So the server holds at most one in-flight plus one waiting message
 * per kind for a client, however slow it is, and a slow client never delays another (each has its own mailboxes
 * and event-loop writes).
 * <p>
 * H.264 needs every message since the last key frame: the drain checks the encoder sequence in the header and,
 * after a gap, skips to the next key frame (counted; the client may ask for one).
 * <p>
 * Alert events are never coalesced: they wait in their own queue, are written first, and are held only as long
 * as the client's pending bytes exceed {@link StreamerSettings#clientMaxPendingBytes()}. If a client falls so far
 * behind that more than {@link StreamerSettings#alertQueueLimit()} events wait, it is disconnected with code 1008
 * rather than silently losing one; on reconnecting it gets the current overlay, which lists every active alert.
 */
final class ClientSession {
    static final int CLOSE_POLICY = 1008;

    private final long id;
    private volatile String credential;
    private final String transportName;
    private final ClientTransport transport;
    private final StreamerSettings settings;
    private final KeyFrameRequester keyRequester;
    private final long connectedAtMillis = System.currentTimeMillis();

    /** Asks the publisher for a key frame of a variant (rate-limited there). */
    interface KeyFrameRequester {
        void requestKeyFrame(Variant v);
    }

    private volatile Variant variant;
    private volatile boolean wantsOverlay;
    private volatile boolean wantsHeatmap;
    private volatile boolean closed;

    // ---- mailboxes: offered to by producers, taken by the drain ----
    private final Mailbox video;
    private final Mailbox overlay;
    private final Mailbox heatmap;
    private final ConcurrentLinkedQueue<ByteBuf> alerts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger alertsWaiting = new AtomicInteger();
    private volatile boolean alertOverflow;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    // ---- event-loop state ----
    private final AtomicLong inFlightBytes = new AtomicLong();
    private boolean needKey = true;
    private long lastSequence = -1;

    // ---- counters (single writer each; read by stats) ----
    private final AtomicLong videoSkipped = new AtomicLong();
    private final AtomicLong keyFramesRequested = new AtomicLong();
    private final AtomicLong alertsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private volatile long clientDecoded;
    private volatile long clientDropped;
    private volatile double clientP50 = Double.NaN;
    private volatile double clientP99 = Double.NaN;

    /** What the mailboxes share with the session: its byte counts and what follows a write. */
    private final Mailbox.Owner mailboxOwner = new Mailbox.Owner() {
        @Override public AtomicLong inFlightBytes() { return inFlightBytes; }
        @Override public AtomicLong bytesSent() { return bytesSent; }
        @Override public void afterWrite(boolean ok) { ClientSession.this.afterWrite(ok); }
    };

    ClientSession(long id, String transportName, ClientTransport transport, StreamerSettings settings,
                  Variant variant, boolean wantsOverlay, boolean wantsHeatmap, KeyFrameRequester keyRequester) {
        this.id = id;
        this.transportName = transportName;
        this.transport = transport;
        this.settings = settings;
        this.variant = variant;
        this.wantsOverlay = wantsOverlay && transport.carriesText();
        this.wantsHeatmap = wantsHeatmap && transport.carriesText();
        this.keyRequester = keyRequester;
        this.video = new Mailbox(mailboxOwner, true);
        this.overlay = new Mailbox(mailboxOwner, false);
        this.heatmap = new Mailbox(mailboxOwner, true);
    }

    /**
     * The credential the client was let in with (the application's access rules name it: a token's id), or null on
     * an open server; a client whose credential is revoked is closed ({@link StreamHub#closeClients}).
     */
    void credential(String c) { credential = c; }
    String credential() { return credential; }

    long id() { return id; }
    Variant variant() { return variant; }
    boolean wantsOverlay() { return wantsOverlay; }
    boolean wantsHeatmap() { return wantsHeatmap; }
    ClientTransport transport() { return transport; }
    boolean closed() { return closed; }

    // ======== producer side (any thread) ========

    /** Offers a video message (a duplicate this session now owns); the newest replaces one not yet taken. */
    void offerVideo(ByteBuf message) {
        offer(video, message);
    }

    /** Offers an overlay message; an overlay not yet taken is replaced (coalesced to the newest). */
    void offerOverlay(ByteBuf message) {
        offer(overlay, message);
    }

    void offerHeatmap(ByteBuf message) {
        offer(heatmap, message);
    }

    private void offer(Mailbox box, ByteBuf message) {
        if (closed) {
            message.release();
            return;
        }
        box.offer(message);
        schedule();
    }

    /** Queues an alert event; never replaced or dropped (see the class comment for the bound). */
    void offerAlert(ByteBuf message) {
        if (closed) {
            message.release();
            return;
        }
        if (alertsWaiting.incrementAndGet() > settings.alertQueueLimit()) {
            alertsWaiting.decrementAndGet();
            message.release();
            alertOverflow = true;
        } else {
            alerts.add(message);
        }
        schedule();
    }

    private void schedule() {
        if (drainScheduled.compareAndSet(false, true)) {
            transport.executor().execute(drainTask);
        }
    }

    // ======== event-loop side ========

    /** Writes a control message (hello, stats, clock reply, error) at once; on the event loop only. */
    void sendControl(ByteBuf text) {
        if (closed || !transport.carriesText()) {
            text.release();
            return;
        }
        int n = text.readableBytes();
        inFlightBytes.addAndGet(n);
        transport.write(text, false, new ClientTransport.WriteDone() {
            @Override
            void done(boolean ok) {
                inFlightBytes.addAndGet(-n);
                if (ok) {
                    bytesSent.addAndGet(n);
                }
            }
        });
    }

    /** Switches encoding or layer (on the event loop): the next video must be a key frame of the new variant. */
    void changeVariant(Variant v) {
        variant = v;
        needKey = true;
        lastSequence = -1;
        video.discard();
    }

    void wants(boolean overlay, boolean heatmap) {
        wantsOverlay = overlay && transport.carriesText();
        wantsHeatmap = heatmap && transport.carriesText();
    }

    /** The client asked for a key frame (it lost its decoder state). */
    void keyFrameRequested() {
        needKey = true;
        keyFramesRequested.incrementAndGet();
        keyRequester.requestKeyFrame(variant);
    }

    void clientReport(long decoded, long dropped, double p50, double p99) {
        clientDecoded = decoded;
        clientDropped = dropped;
        clientP50 = p50;
        clientP99 = p99;
    }

    private void afterWrite(boolean ok) {
        if (!ok) {
            close(1011, "write failed");
            return;
        }
        drain();
    }

    void drain() {
        drainScheduled.set(false); // before taking: an offer from now on schedules another drain
        if (closed) {
            releaseAll();
            return;
        }
        if (!transport.isOpen()) {
            close(1001, "gone");
            return;
        }
        if (alertOverflow) {
            close(CLOSE_POLICY, "alert backlog overflow: reconnect to resync");
            return;
        }
        long maxPending = settings.clientMaxPendingBytes();
        // 1. alert events, all of them, in order
        while (inFlightBytes.get() < maxPending) {
            ByteBuf a = alerts.poll();
            if (a == null) {
                break;
            }
            alertsWaiting.decrementAndGet();
            writeAlert(a);
        }
        // 2. the newest overlay
        if (inFlightBytes.get() < maxPending) {
            ByteBuf o = overlay.take();
            if (o != null) {
                overlay.write(transport, o);
            }
        }
        // 3. the newest video frame
        if (transport.writable()) {
            ByteBuf v = video.take();
            if (v != null) {
                writeVideo(v);
            }
        }
        // 4. the newest heat map, lowest priority
        if (transport.writable() && inFlightBytes.get() < maxPending) {
            ByteBuf h = heatmap.take();
            if (h != null) {
                heatmap.write(transport, h);
            }
        }
    }

    private void writeAlert(ByteBuf a) {
        int n = a.readableBytes();
        inFlightBytes.addAndGet(n);
        transport.write(a, false, new ClientTransport.WriteDone() { // alerts are rare: a listener each is fine
            @Override
            void done(boolean ok) {
                inFlightBytes.addAndGet(-n);
                if (ok) {
                    alertsSent.incrementAndGet();
                    bytesSent.addAndGet(n);
                }
                afterWrite(ok);
            }
        });
    }

    private void writeVideo(ByteBuf v) {
        int encodingCode = v.getUnsignedByte(v.readerIndex() + FrameHeader.OFFSET_ENCODING);
        boolean burned = (FrameHeader.flags(v) & FrameHeader.FLAG_BURNED) != 0;
        Variant current = variant;
        if (encodingCode != current.encoding().code() || burned != current.burned()) {
            v.release(); // left over from before a variant switch
            return;
        }
        if (current.encoding() == Encoding.H264) {
            long seq = FrameHeader.sequence(v);
            boolean key = FrameHeader.isKey(v);
            if (!key && (needKey || seq != ((lastSequence + 1) & 0xffffffffL))) {
                // a frame this one depends on never reached the client: wait for the next key frame, and ask
                // for one now rather than leave the picture frozen until the encoder's next scheduled one (or
                // the client's own request, a round trip later); the fan-out bounds how often it is honoured
                v.release();
                videoSkipped.incrementAndGet();
                if (!needKey) {
                    needKey = true;
                    keyRequester.requestKeyFrame(current);
                }
                return;
            }
            needKey = false;
            lastSequence = seq;
        }
        video.write(transport, v);
    }

    /** Closes the connection and releases everything waiting (any thread). */
    void close(int code, String reason) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            transport.executor().execute(() -> {
                releaseAll();
                transport.close(code, reason);
            });
        } catch (RejectedExecutionException e) {
            releaseAll(); // its event loop has already stopped, and the connection with it
        }
    }

    /** Marks the session closed after the peer went away (on the event loop). */
    void closedByPeer() {
        closed = true;
        releaseAll();
    }

    private void releaseAll() {
        video.discard();
        overlay.discard();
        heatmap.discard();
        ByteBuf a;
        while ((a = alerts.poll()) != null) {
            alertsWaiting.decrementAndGet();
            a.release();
        }
    }

    /** Bytes held for this client now: in flight plus waiting in its mailboxes (approximate while racing). */
    long pendingBytes() {
        return inFlightBytes.get() + video.waitingBytes() + overlay.waitingBytes() + heatmap.waitingBytes();
    }

    ClientStats stats() {
        Variant v = variant;
        return new ClientStats(id, transport.remote(), transportName, v.encoding().wireName(), v.layerName(),
                wantsOverlay, wantsHeatmap, connectedAtMillis, video.sent(), video.replaced() + videoSkipped.get(),
                keyFramesRequested.get(), overlay.sent(), overlay.replaced(), alertsSent.get(),
                alertsWaiting.get(), heatmap.sent(), bytesSent.get(), pendingBytes(), clientDecoded,
                clientDropped, clientP50, clientP99);
    }
}
