package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;

import java.util.concurrent.Executor;

/**
 * Where one client's messages go: a WebSocket (Netty channel) or an MJPEG HTTP response. Every method except
 * {@link #executor()} is called on that executor (the connection's event loop). {@link #write} takes ownership of
 * the buffer (it is released once written or failed) and calls {@code done} on the executor when the bytes have
 * left the server's queue for the socket.
 */
interface ClientTransport {

    /** Completion of one write; a preallocated instance per message kind, reused for every write. */
    abstract class WriteDone implements GenericFutureListener<Future<? super Void>> {
        @Override
        public final void operationComplete(Future<? super Void> f) {
            done(f.isSuccess());
        }

        abstract void done(boolean success);
    }

    /** The event loop of the connection: all writes and all of the session's state changes happen on it. */
    Executor executor();

    boolean isOpen();

    /** Whether the connection can take more without growing its queue past the high-water mark. */
    boolean writable();

    /** Writes one message: {@code binary} for video and heat maps, text for JSON. */
    void write(ByteBuf message, boolean binary, WriteDone done);

    /** Whether this transport carries text (JSON) messages at all (MJPEG does not). */
    boolean carriesText();

    /** Closes with a WebSocket status code and reason (ignored where not applicable). */
    void close(int code, String reason);

    /** Peer address, for stats and logs. */
    String remote();
}
