package org.intravis.streamer;

import io.netty.buffer.ByteBuf;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One kind of message (video, overlay or heat map) on its way to one client: at most one waiting, at most one in
 * flight, the newest wins. A producer {@link #offer}s from its own thread, replacing (and releasing) a message not
 * taken yet; the client's drain {@link #take}s the waiting one only when the previous has left for the socket and
 * {@link #write}s it. So a slow client costs the server one waiting plus one in-flight message per kind, however far
 * behind it is.
 * <p>
 * Two sides, as the session has: {@link #offer} from any thread (lock-free); everything else on the client's event
 * loop. The write listener is allocated once and reused, so a write allocates nothing.
 */
final class Mailbox {
    /** The session's part in a write: its bytes in flight, its byte count, and what to do when one completes. */
    interface Owner {
        AtomicLong inFlightBytes();

        AtomicLong bytesSent();

        /** A write of this mailbox completed ({@code ok}) or failed; on the event loop. */
        void afterWrite(boolean ok);
    }

    private final Owner owner;
    private final boolean binary;
    private final AtomicReference<ByteBuf> waiting = new AtomicReference<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();

    // ---- event loop ----
    private boolean inFlight;
    private int inFlightBytes;
    private final ClientTransport.WriteDone done = new ClientTransport.WriteDone() {
        @Override
        void done(boolean ok) {
            inFlight = false;
            owner.inFlightBytes().addAndGet(-inFlightBytes);
            if (ok) {
                sent.incrementAndGet();
                owner.bytesSent().addAndGet(inFlightBytes);
            }
            owner.afterWrite(ok);
        }
    };

    /** @param binary whether its messages go out as binary (video, heat maps) or text (JSON) frames */
    Mailbox(Owner owner, boolean binary) {
        this.owner = owner;
        this.binary = binary;
    }

    /** Puts a message this mailbox now owns in place of any not yet taken (released and counted as replaced). */
    void offer(ByteBuf message) {
        ByteBuf old = waiting.getAndSet(message);
        if (old != null) {
            old.release();
            replaced.incrementAndGet();
        }
    }

    /** The waiting message, or null when there is none or one is still in flight (event loop). */
    ByteBuf take() {
        return inFlight ? null : waiting.getAndSet(null);
    }

    /** Writes a message taken from here; it is in flight until the transport says it left (event loop). */
    void write(ClientTransport transport, ByteBuf message) {
        inFlight = true;
        inFlightBytes = message.readableBytes();
        owner.inFlightBytes().addAndGet(inFlightBytes);
        transport.write(message, binary, done);
    }

    /** Releases the waiting message, if any, without counting it. */
    void discard() {
        ByteBuf old = waiting.getAndSet(null);
        if (old != null) {
            old.release();
        }
    }

    /** Bytes of the waiting message (approximate while racing with the drain). */
    long waitingBytes() {
        ByteBuf b = waiting.get();
        try {
            return b == null ? 0 : b.readableBytes();
        } catch (RuntimeException raced) { // released between get and read
            return 0;
        }
    }

    /** Messages written to the socket. */
    long sent() {
        return sent.get();
    }

    /** Messages replaced by a newer one before the client could take them. */
    long replaced() {
        return replaced.get();
    }
}
