package org.intravis.ui.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.intravis.capture.igtl.IgtlMessage;
import org.intravis.capture.igtl.IgtlProtocolException;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One OpenIGTLink client and what is on its way to it. Per stream two mailboxes where the newest wins (the frame's
 * bundle: IMAGE, TRANSFORMs, POINT; and the zones' POLYDATA): a producer's message replaces one the client has not
 * taken yet, so a slow client gets the newest, never a backlog, and the pipeline never waits for it. Alert STRINGs
 * queue in order, up to a limit beyond which the client is closed (it is not reading at all).
 * <p>
 * Two sides: {@code offer...} from the pipeline's threads (lock-free); the drain on the connection's event loop
 * writes only while the channel is writable (its buffer is under the high-water mark), so what is queued in Netty per
 * client is bounded too. What the client sends is decoded (CRC checked) and ignored; a damaged message, or anything
 * that is not OpenIGTLink, closes this connection with a log line and touches no other.
 */
final class IgtlClient extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(IgtlClient.class.getName());

    private final Channel channel;
    private final String remote;
    private final int alertLimit;
    private final Runnable onClosed;
    private final AtomicReferenceArray<ByteBuf> frames;
    private final AtomicReferenceArray<ByteBuf> zones;
    private final ConcurrentLinkedQueue<ByteBuf> alerts = new ConcurrentLinkedQueue<>();
    private final AtomicInteger alertsWaiting = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private volatile boolean closed;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    IgtlClient(Channel channel, int streams, int alertLimit, Runnable onClosed) {
        this.channel = channel;
        this.remote = String.valueOf(channel.remoteAddress());
        this.alertLimit = alertLimit;
        this.onClosed = onClosed;
        this.frames = new AtomicReferenceArray<>(streams);
        this.zones = new AtomicReferenceArray<>(streams);
    }

    String remote() { return remote; }
    boolean closed() { return closed; }
    /** Messages (bundles count once) written to the socket. */
    long sent() { return sent.get(); }
    /** Bundles replaced by a newer one before the client could take them. */
    long replaced() { return replaced.get(); }
    /** Messages the client sent (and that were ignored). */
    long received() { return received.get(); }

    // ======== producers (the pipeline's threads) ========

    /** A stream's newest frame bundle (a buffer this client now owns). */
    void offerFrame(int stream, ByteBuf bundle) {
        offer(frames, stream, bundle);
    }

    /** A stream's newest zone outlines. */
    void offerZones(int stream, ByteBuf bundle) {
        offer(zones, stream, bundle);
    }

    private void offer(AtomicReferenceArray<ByteBuf> box, int stream, ByteBuf message) {
        if (closed) {
            message.release();
            return;
        }
        ByteBuf old = box.getAndSet(stream, message);
        if (old != null) {
            old.release();
            replaced.incrementAndGet();
        }
        if (closed) { // closed meanwhile: the release may have run before this offer
            ByteBuf mine = box.getAndSet(stream, null);
            if (mine != null) {
                mine.release();
            }
            return;
        }
        schedule();
    }

    /** An alert event; kept in order, never replaced. */
    void offerAlert(ByteBuf message) {
        if (closed) {
            message.release();
            return;
        }
        if (alertsWaiting.incrementAndGet() > alertLimit) {
            alertsWaiting.decrementAndGet();
            message.release();
            LOG.warning(() -> "openigtlink client " + remote + ": " + alertLimit
                    + " alert messages waiting, it is not reading; closing the connection");
            close();
            return;
        }
        alerts.add(message);
        schedule();
    }

    private void schedule() {
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(drainTask);
        }
    }

    // ======== the event loop ========

    private void drain() {
        drainScheduled.set(false); // before taking: an offer from now on schedules another drain
        if (closed) {
            releaseAll();
            return;
        }
        boolean wrote = false;
        ByteBuf a;
        while (channel.isWritable() && (a = alerts.poll()) != null) {
            alertsWaiting.decrementAndGet();
            channel.write(a, channel.voidPromise());
            wrote = true;
        }
        int n = frames.length();
        for (int s = 0; s < n && channel.isWritable(); s++) {
            wrote |= writeTaken(frames, s);
            if (channel.isWritable()) {
                wrote |= writeTaken(zones, s);
            }
        }
        if (wrote) {
            channel.flush();
        }
    }

    private boolean writeTaken(AtomicReferenceArray<ByteBuf> box, int stream) {
        ByteBuf m = box.getAndSet(stream, null);
        if (m == null) {
            return false;
        }
        channel.write(m, channel.voidPromise()); // a failed write reaches exceptionCaught, which closes
        sent.incrementAndGet();
        return true;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            received.incrementAndGet();
            if (msg instanceof IgtlMessage m && LOG.isLoggable(Level.FINE)) {
                LOG.fine("openigtlink client " + remote + " sent " + m + "; ignored (the server only sends)");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof IgtlProtocolException ? cause
                : cause.getCause() instanceof IgtlProtocolException ? cause.getCause() : cause;
        if (c instanceof IgtlProtocolException) {
            LOG.warning("openigtlink client " + remote + " sent a bad message: " + c.getMessage()
                    + "; closing the connection");
        } else if (c instanceof IOException) {
            LOG.fine(() -> "openigtlink client " + remote + ": " + c.getMessage());
        } else {
            LOG.log(Level.WARNING, "openigtlink client " + remote + ": closing the connection", c);
        }
        close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        releaseAll();
        onClosed.run();
        LOG.info(() -> "openigtlink client " + remote + " disconnected (" + sent.get() + " messages sent, "
                + replaced.get() + " replaced by newer ones)");
        ctx.fireChannelInactive();
    }

    /** Closes the connection (any thread); what is waiting is released. */
    void close() {
        closed = true;
        channel.close();
        if (channel.eventLoop().inEventLoop()) {
            releaseAll();
        } else {
            channel.eventLoop().execute(this::releaseAll);
        }
    }

    private void releaseAll() {
        for (int s = 0; s < frames.length(); s++) {
            release(frames.getAndSet(s, null));
            release(zones.getAndSet(s, null));
        }
        ByteBuf a;
        while ((a = alerts.poll()) != null) {
            alertsWaiting.decrementAndGet();
            a.release();
        }
    }

    private static void release(ByteBuf b) {
        if (b != null) {
            b.release();
        }
    }
}
