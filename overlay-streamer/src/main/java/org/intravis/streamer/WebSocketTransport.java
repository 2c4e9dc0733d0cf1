package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.http.ServerWebSocket;

import java.util.concurrent.Executor;

/**
 * A WebSocket client written through its Netty channel: each message is one complete frame around the pooled
 * buffer the fan-out handed us (no copy, no fragmentation; Netty releases it after the write). Vert.x's own
 * WebSocket writes would copy a pooled buffer to the heap (and split it at the frame size limit), hence the
 * channel. The channel's event loop is the executor. With a Vert.x {@link ServerWebSocket} the close handshake
 * goes through Vert.x; without one (tests on an EmbeddedChannel) a close frame is written directly.
 */
final class WebSocketTransport implements ClientTransport {
    private final Channel ch;
    private final ServerWebSocket ws;
    private final String remote;

    WebSocketTransport(Channel ch, ServerWebSocket ws, String remote) {
        this.ch = ch;
        this.ws = ws;
        this.remote = remote;
    }

    @Override
    public Executor executor() {
        return ch.eventLoop();
    }

    @Override
    public boolean isOpen() {
        return ch.isActive() && (ws == null || !ws.isClosed());
    }

    @Override
    public boolean writable() {
        return ch.isWritable();
    }

    @Override
    public void write(ByteBuf message, boolean binary, WriteDone done) {
        ch.writeAndFlush(binary ? new BinaryWebSocketFrame(message) : new TextWebSocketFrame(message)).addListener(done);
    }

    @Override
    public boolean carriesText() {
        return true;
    }

    @Override
    public void close(int code, String reason) {
        if (ws != null) {
            if (!ws.isClosed()) {
                ws.close((short) code, reason);
            }
        } else if (ch.isActive()) {
            ch.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public String remote() {
        return remote;
    }
}
