package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

/**
 * A plain display reading {@code multipart/x-mixed-replace} JPEG over HTTP: each video message becomes one part
 * (its binary header stripped). Vert.x writes a pooled buffer without copying but never releases it, so the
 * duplicate handed to us is released when the write completes. Text messages are not carried.
 */
final class MjpegTransport implements ClientTransport {
    static final String BOUNDARY = "intravisframe";
    private static final byte[] PART_START = ("--" + BOUNDARY + "\r\nContent-Type: image/jpeg\r\nContent-Length: ")
            .getBytes(StandardCharsets.US_ASCII);

    private final HttpServerResponse response;
    private final Context context;
    private final Executor executor;
    private final String remote;
    private volatile boolean open = true;

    MjpegTransport(HttpServerResponse response, Context context, String remote, Runnable onClose) {
        this.response = response;
        this.context = context;
        this.executor = task -> context.runOnContext(v -> task.run());
        this.remote = remote;
        response.closeHandler(v -> {
            open = false;
            onClose.run();
        });
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean isOpen() {
        return open && !response.closed() && !response.ended();
    }

    @Override
    public boolean writable() {
        return !response.writeQueueFull();
    }

    @Override
    public void write(ByteBuf message, boolean binary, WriteDone done) {
        if (!binary || !isOpen()) {
            message.release();
            done.done(isOpen());
            return;
        }
        int headerLength = message.getUnsignedShort(message.readerIndex() + FrameHeader.OFFSET_HEADER_LENGTH);
        ByteBuf jpeg = message.skipBytes(headerLength);
        ByteBuf part = message.alloc().heapBuffer(PART_START.length + 16);
        part.writeBytes(PART_START).writeCharSequence(Integer.toString(jpeg.readableBytes()), StandardCharsets.US_ASCII);
        part.writeByte('\r').writeByte('\n').writeByte('\r').writeByte('\n');
        response.write(BufferInternal.buffer(part)).onComplete(ar -> part.release());
        response.write(BufferInternal.buffer(jpeg)).onComplete(ar -> {
            jpeg.release();
            done.done(ar.succeeded());
        });
        ByteBuf crlf = message.alloc().heapBuffer(2).writeByte('\r').writeByte('\n');
        response.write(BufferInternal.buffer(crlf)).onComplete(ar -> crlf.release());
    }

    @Override
    public boolean carriesText() {
        return false;
    }

    @Override
    public void close(int code, String reason) {
        open = false;
        if (!response.ended() && !response.closed()) {
            response.reset();
        }
    }

    @Override
    public String remote() {
        return remote;
    }

    Context context() {
        return context;
    }
}
