package org.intravis.streamer;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.ArrayDeque;

/**
 * Stands in for a socket whose peer stopped reading: while stalled it holds every write and its promise (the
 * bytes are "in flight"); {@link #resume} lets them through. Put it in an EmbeddedChannel before the handler whose
 * context the transport writes to.
 */
final class StallingHandler extends ChannelOutboundHandlerAdapter {
    private record Held(Object msg, ChannelPromise promise) {
    }

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private boolean stalled = true;
    private boolean resuming;
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (stalled || resuming) { // while resuming, writes triggered by completions queue behind older ones
            held.add(new Held(msg, promise));
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (!stalled) {
            ctx.flush();
        }
    }

    int heldMessages() {
        return held.size();
    }

    long heldBytes() {
        long n = 0;
        for (Held h : held) {
            if (h.msg instanceof WebSocketFrame f) {
                n += f.content().readableBytes();
            }
        }
        return n;
    }

    Object peekLast() {
        return held.isEmpty() ? null : held.peekLast().msg;
    }

    void stall() {
        stalled = true;
    }

    void resume() {
        stalled = false;
        resuming = true;
        while (!held.isEmpty()) {
            Held h = held.poll();
            ctx.write(h.msg, h.promise);
            ctx.flush();
        }
        resuming = false;
    }
}
