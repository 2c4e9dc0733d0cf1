package org.intravis.capture.igtl;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.intravis.capture.ReconnectingSource;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * {@code igtl://HOST:PORT[?device=NAME]}: the IMAGE messages of an OpenIGTLink server (PLUS Server, 3D Slicer, a
 * scanner's interface), as a client. 8-bit images, grey or RGB(A), whole 2D frames; the pixel spacing (the length of the
 * image's i direction) becomes {@link #pixelSpacingMm()}.
 * <p>
 * Two threads: the connection runs on a Netty event loop of its own ({@code igtl-source}), which decodes (CRC checked)
 * and keeps only the newest image (a newer one replaces one not yet taken, counted); the capture thread takes it in
 * {@link #readInto} and converts it straight into the slot (grey or BGR, {@code format=} or as the first image was).
 * It never gives up, like the FFmpeg live sources: a refused or dropped connection, no message for {@code timeoutMs},
 * or a damaged message (logged) reports {@link SourceStatus#RECONNECTING} with the reason and tries again with
 * exponential back-off ({@code reconnectInitialMs}=250 doubling up to {@code reconnectMaxMs}=5000, reset after an
 * image). Images of another kind (16-bit, 3D, partial) are skipped with one log line each kind.
 * <p>
 * The geometry is fixed at {@link #open()}: {@code width}x{@code height} when given, else the first image's (open
 * waits up to {@code timeoutMs} for it), else 1920x1080; a larger image later is skipped and said so.
 */
public final class IgtlSource extends ReconnectingSource {
    private static final Logger LOG = Logger.getLogger(IgtlSource.class.getName());
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final int DEFAULT_WIDTH = 1920;
    private static final int DEFAULT_HEIGHT = 1080;

    private final String host;
    private final int port;
    private final String device;
    private final int timeoutMs;
    private final int fixedWidth;
    private final int fixedHeight;
    private final PixelFormat formatOption;
    private final double spacingOption;
    private final double fpsOption;
    private final long maxBodyBytes;
    private final String description;

    // ---- the event loop ----
    private EventLoopGroup group;
    private boolean warnedKind;
    private boolean warnedSize;
    /**
     * The newest image not yet taken, with its header read and a view of its pixels made on the event loop: nothing is
     * parsed on the capture thread, and it copies rows out of the view by absolute index, which allocates nothing.
     * (Reading the buffer itself would where Netty runs without sun.misc.Unsafe, as it does by default on Java 25 and
     * later: a temporary NIO view for every row.)
     */
    private record Pending(IgtlMessage message, IgtlImage.Header header, ByteBuffer pixels) {
    }

    private final AtomicReference<Pending> newest = new AtomicReference<>();
    /**
     * An image the capture thread is done with, released on the event loop: releasing a pooled buffer on another
     * thread than the one that took it from the pool costs Netty's recycler an allocation, which the capture thread
     * must not make.
     */
    private final AtomicReference<Pending> done = new AtomicReference<>();

    // ---- the capture thread ----
    private volatile Thread reader;
    private PixelFormat format;
    private int maxWidth;
    private int maxHeight;
    private byte[] rowIn = new byte[0];
    private byte[] rowOut = new byte[0];

    // ---- shared, for the status ----
    private volatile boolean closing;
    private volatile double spacingMm;
    private final AtomicLong images = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    public IgtlSource(SourceUri uri) {
        super(uri);
        String loc = uri.location();
        if (!loc.startsWith("//") || loc.length() <= 2) {
            throw new IllegalArgumentException("OpenIGTLink source '" + uri.raw() + "' should look like igtl://HOST:PORT");
        }
        String hostPort = loc.substring(2);
        if (hostPort.endsWith("/")) {
            hostPort = hostPort.substring(0, hostPort.length() - 1);
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("OpenIGTLink source '" + uri.raw() + "' needs a port: igtl://HOST:PORT"
                    + " (18944 is the usual one)");
        }
        this.host = hostPort.startsWith("[") && colon > 1 ? hostPort.substring(1, colon - 1) : hostPort.substring(0, colon);
        try {
            this.port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("OpenIGTLink source '" + uri.raw() + "': port '"
                    + hostPort.substring(colon + 1) + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("OpenIGTLink source '" + uri.raw() + "': port " + port + " is not 1..65535");
        }
        this.device = uri.option("device", "");
        if (device.length() > IgtlWire.DEVICE_SIZE) {
            throw new IllegalArgumentException("OpenIGTLink source '" + uri.raw() + "': device name '" + device
                    + "' is longer than OpenIGTLink's " + IgtlWire.DEVICE_SIZE + " bytes");
        }
        this.timeoutMs = uri.intOption("timeoutMs", 3000);
        if (timeoutMs < 100) {
            throw new IllegalArgumentException("source option timeoutMs=" + timeoutMs + " is below 100 ms (in " + uri.raw() + ")");
        }
        this.fixedWidth = uri.intOption("width", 0);
        this.fixedHeight = uri.intOption("height", 0);
        if ((fixedWidth > 0) != (fixedHeight > 0) || fixedWidth < 0 || fixedHeight < 0) {
            throw new IllegalArgumentException("give both width and height (positive), or neither (in " + uri.raw() + ")");
        }
        String f = uri.option("format", "");
        this.formatOption = switch (f.trim().toLowerCase(Locale.ROOT)) {
            case "" -> null;
            case "gray", "grey", "gray8" -> PixelFormat.GRAY8;
            case "bgr", "bgr24", "color", "colour" -> PixelFormat.BGR24;
            default -> throw new IllegalArgumentException("source option format=" + f + " must be gray or bgr (in "
                    + uri.raw() + ")");
        };
        this.spacingOption = uri.doubleOption("pixelSpacingMm", 0);
        this.fpsOption = uri.doubleOption("fps", 0);
        if (spacingOption < 0 || fpsOption < 0) {
            throw new IllegalArgumentException("pixelSpacingMm and fps must not be negative (in " + uri.raw() + ")");
        }
        this.maxBodyBytes = (long) uri.intOption("maxMessageMb", 64) << 20;
        if (maxBodyBytes <= 0 || maxBodyBytes > IgtlDecoder.DEFAULT_MAX_BODY_BYTES * 16) {
            throw new IllegalArgumentException("source option maxMessageMb must be 1..1024 (in " + uri.raw() + ")");
        }
        this.description = "OpenIGTLink server " + host + ":" + port + (device.isEmpty() ? "" : " device " + device);
    }

    @Override
    protected String description() {
        return description;
    }

    /**
     * Starts connecting and waits up to {@code timeoutMs} for a first image to learn the frame size; a server that is
     * not there yet does not fail the open (the source keeps trying, as live sources do).
     */
    @Override
    protected void openGuarded() {
        connecting();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("igtl-source", true), NioIoHandler.newFactory());
        group.execute(this::connect);
        IgtlImage.Header first = null;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        if (fixedWidth == 0 || formatOption == null) {
            while (System.nanoTime() - deadline < 0) {
                Pending p = newest.get();
                if (p != null) {
                    first = p.header();
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
        maxWidth = fixedWidth > 0 ? fixedWidth : first != null ? first.sizeI() : DEFAULT_WIDTH;
        maxHeight = fixedHeight > 0 ? fixedHeight : first != null ? first.sizeJ() : DEFAULT_HEIGHT;
        format = formatOption != null ? formatOption
                : first != null && first.components() >= 3 ? PixelFormat.BGR24 : PixelFormat.GRAY8;
        geometry(new FrameGeometry(maxWidth, maxHeight, format));
        nominalFps(fpsOption);
        rowIn = new byte[maxWidth * 4];
        rowOut = new byte[maxWidth * 3];
        if (first != null && spacingOption == 0) {
            spacingMm = first.spacingI();
        }
    }

    // ======================= the connection (event loop) =======================

    private void connect() {
        if (closing) {
            return;
        }
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(timeoutMs, 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast(new IgtlDecoder(maxBodyBytes));
                        ch.pipeline().addLast(new Connection());
                    }
                });
        ChannelFuture f = b.connect(host, port);

        f.addListener(done -> {
            if (!done.isSuccess()) {
                retry("cannot connect: " + rootMessage(done.cause()));
            }
        });
    }

    /** Schedules the next attempt (event loop). */
    private void retry(String reason) {
        if (closing) {
            return;
        }
        long delay = reconnecting(reason);
        if (reconnectAttempt() == 1 || reconnectAttempt() % 10 == 0) {
            LOG.warning(() -> description + ": " + detail());
        }
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** One connection's handler: images to the capture thread, everything else ignored. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private String lost = "the server closed the connection";

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected("connected, waiting for an image");
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            IgtlMessage m = (IgtlMessage) msg;
            if (!m.type().equals(IgtlWire.IMAGE) || (!device.isEmpty() && !device.equals(m.deviceName()))) {
                m.release();
                return;
            }
            IgtlImage.Header h;
            try {
                h = IgtlImage.read(m.content());
            } catch (IgtlProtocolException e) {
                m.release();
                throw e;
            }
            String why = unsupported(h);
            if (why != null) {
                skipped.incrementAndGet();
                if (!warnedKind) {
                    warnedKind = true;
                    LOG.warning(description + ": skipping IMAGE '" + m.deviceName() + "': " + why);
                }
                m.release();
                return;
            }
            images.incrementAndGet();
            Pending finished = done.getAndSet(null);
            if (finished != null) {
                finished.message().release();
            }
            ByteBuf content = m.content();
            Pending old = newest.getAndSet(new Pending(m, h,
                    content.nioBuffer(content.readerIndex() + h.dataOffset(), h.dataLength())));
            if (old != null) {
                old.message().release();
                replaced.incrementAndGet();
            }
            receiving();
            Thread r = reader;
            if (r != null) {
                LockSupport.unpark(r);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                lost = "no message for " + timeoutMs + " ms";
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause.getCause() instanceof IgtlProtocolException ? cause.getCause() : cause;
            if (c instanceof IgtlProtocolException) {
                lost = "bad message from the server: " + c.getMessage();
                LOG.warning(() -> description + ": " + lost + "; closing the connection");
            } else if (c instanceof IOException) {
                lost = "connection lost: " + c.getMessage();
            } else {
                lost = "error: " + c;
                LOG.warning(() -> description + ": " + lost);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closing) {
                retry(lost);
            }
            ctx.fireChannelInactive();
        }
    }

    /** Why an image cannot become a frame, or null. */
    private static String unsupported(IgtlImage.Header h) {
        if (h.scalarType() != IgtlImage.SCALAR_UINT8 && h.scalarType() != IgtlImage.SCALAR_INT8) {
            return "scalar type " + h.scalarType() + " (only 8-bit images are taken)";
        }
        if (h.components() != 1 && h.components() != 3 && h.components() != 4) {
            return h.components() + " components per pixel (1 grey, 3 RGB or 4 RGBA are taken)";
        }
        if (h.sizeI() == 0 || h.sizeJ() == 0) { // consistent on the wire, but no frame has 0 columns or rows
            return "an empty image (" + h.sizeI() + "x" + h.sizeJ() + ")";
        }
        if (h.sizeK() != 1) {
            return "a volume of " + h.sizeK() + " slices (only 2D images are taken)";
        }
        if (!h.whole()) {
            return "a partial image (sub-volume " + h.subI() + "x" + h.subJ() + " at " + h.offsetI() + "," + h.offsetJ() + ")";
        }
        return null;
    }

    // ======================= the capture thread =======================

    @Override
    protected Read readGuarded(FrameSlot slot) {
        if (reader == null) {
            reader = Thread.currentThread();
        }
        Pending p = newest.getAndSet(null);
        if (p == null) {
            LockSupport.parkNanos(this, MAX_PARK_NANOS); // unparked by the next image
            return guard.closing() ? Read.END : Read.NONE;
        }
        IgtlMessage m = p.message();
        try {
            IgtlImage.Header h = p.header();
            int w = h.sizeI();
            int hgt = h.sizeJ();
            if (w > maxWidth || hgt > maxHeight) {
                skipped.incrementAndGet();
                if (!warnedSize) {
                    warnedSize = true;
                    LOG.warning(description + ": skipping " + w + "x" + hgt + " images, larger than the "
                            + maxWidth + "x" + maxHeight + " fixed when the stream opened (give width= and height=)");
                }
                return Read.NONE;
            }
            copy(p.pixels(), h, slot, w, hgt);
            if (spacingOption == 0) {
                spacingMm = h.spacingI();
            }
        } finally {
            Pending unreleased = done.getAndSet(p); // the event loop releases it at its next image
            if (unreleased != null) {
                unreleased.message().release(); // it had no image since: rare, so allocation here is too
            }
        }
        delivered(slot);
        detail("streaming");
        return Read.FRAME;
    }

    /** The image's rows ({@code in}: its pixels, from its position on) into the slot, in the stream's format. */
    private void copy(ByteBuffer in, IgtlImage.Header h, FrameSlot slot, int w, int hgt) {
        int comps = h.components();
        int bpp = format.bytesPerPixel();
        int stride = w * bpp;
        slot.frame(w, hgt, stride, format);
        ByteBuffer px = slot.pixels();
        int at = in.position();
        int inRow = w * comps;
        for (int y = 0; y < hgt; y++, at += inRow) {
            in.get(at, rowIn, 0, inRow);
            byte[] out = rowOut;
            if (comps == 1 && format == PixelFormat.GRAY8) {
                out = rowIn;
            } else if (comps == 1) {
                for (int x = 0, o = 0; x < w; x++, o += 3) {
                    byte g = rowIn[x];
                    out[o] = g;
                    out[o + 1] = g;
                    out[o + 2] = g;
                }
            } else if (format == PixelFormat.GRAY8) { // RGB(A) to grey: ITU-R BT.601 luma, in integers
                for (int x = 0, i = 0; x < w; x++, i += comps) {
                    int r = rowIn[i] & 0xff;
                    int g = rowIn[i + 1] & 0xff;
                    int b = rowIn[i + 2] & 0xff;
                    out[x] = (byte) ((77 * r + 150 * g + 29 * b + 128) >> 8);
                }
            } else { // RGB(A) to BGR
                for (int x = 0, i = 0, o = 0; x < w; x++, i += comps, o += 3) {
                    out[o] = rowIn[i + 2];
                    out[o + 1] = rowIn[i + 1];
                    out[o + 2] = rowIn[i];
                }
            }
            px.put(y * stride, out, 0, stride);
        }
    }

    @Override
    public double pixelSpacingMm() {
        return spacingOption > 0 ? spacingOption : spacingMm;
    }

    /** Images received (of the right device and kind). */
    public long imagesReceived() {
        return images.get();
    }

    /** Images replaced by a newer one before the capture thread took them. */
    public long imagesReplaced() {
        return replaced.get();
    }

    /** Images skipped: another kind (16-bit, 3D, partial) or larger than the stream. */
    public long imagesSkipped() {
        return skipped.get();
    }

    @Override
    protected void release() {
        closing = true; // no connection is made from now on
        EventLoopGroup g = group;
        if (g != null) { // shutting the group down closes its connection; after it nothing is delivered
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (AtomicReference<Pending> r : java.util.List.of(newest, done)) {
            Pending p = r.getAndSet(null);
            if (p != null) {
                p.message().release();
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
