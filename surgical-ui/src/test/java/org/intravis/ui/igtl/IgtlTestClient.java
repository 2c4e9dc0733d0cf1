package org.intravis.ui.igtl;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.intravis.capture.igtl.IgtlDecoder;
import org.intravis.capture.igtl.IgtlMessage;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client for tests: a real socket to the server, the codec's decoder over what arrives (on a reader thread), the
 * messages in a queue. {@link #startReading()} can be delayed to play a client that does not read.
 */
final class IgtlTestClient implements AutoCloseable {
    private final Socket socket;
    private final LinkedBlockingQueue<IgtlMessage> messages = new LinkedBlockingQueue<>();
    private final AtomicLong images = new AtomicLong();
    private final java.util.List<IgtlMessage> kept = new java.util.ArrayList<>();
    private volatile Throwable failure;
    private volatile boolean ended;
    private Thread reader;

    IgtlTestClient(int port) throws IOException {
        this.socket = new Socket("127.0.0.1", port);
        socket.setReceiveBufferSize(64 * 1024);
    }

    Socket socket() {
        return socket;
    }

    IgtlTestClient startReading() {
        reader = new Thread(this::read, "igtl-test-client");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    private void read() {
        EmbeddedChannel decoder = new EmbeddedChannel(new IgtlDecoder());
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                decoder.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
                Object m;
                while ((m = decoder.readInbound()) != null) {
                    IgtlMessage msg = (IgtlMessage) m;
                    if (msg.type().equals("IMAGE")) {
                        images.incrementAndGet();
                    }
                    messages.add(msg);
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = e;
        } finally {
            ended = true;
        }
    }

    /**
     * The oldest message of {@code type} not taken yet, or null after the timeout. Messages of other types are kept for
     * later calls (the newest 500; older ones are released).
     */
    IgtlMessage next(String type, long timeoutMs) throws InterruptedException {
        for (java.util.Iterator<IgtlMessage> it = kept.iterator(); it.hasNext(); ) {
            IgtlMessage m = it.next();
            if (m.type().equals(type)) {
                it.remove();
                return m;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            IgtlMessage m = messages.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (m == null) {
                return null;
            }
            if (m.type().equals(type)) {
                return m;
            }
            kept.add(m);
            if (kept.size() > 500) {
                kept.remove(0).release();
            }
        }
    }

    long images() {
        return images.get();
    }

    /** Whether the server closed the connection (the reader saw its end). */
    boolean ended() {
        return ended;
    }

    /** A decoding failure (a message our own decoder refused), or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        IgtlMessage m;
        while ((m = messages.poll()) != null) {
            m.release();
        }
        kept.forEach(IgtlMessage::release);
        kept.clear();
    }
}
