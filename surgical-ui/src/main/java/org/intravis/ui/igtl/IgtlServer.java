package org.intravis.ui.igtl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.intravis.capture.igtl.IgtlDecoder;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The OpenIGTLink server (3D Slicer's OpenIGTLinkIF, PLUS clients, navigation systems): every connected client gets
 * every stream's messages (docs/interop.md). Netty, on one event-loop thread of its own ({@code igtl-io}); the
 * messages are built on the pipeline's threads by each stream's {@link IgtlFrameSender} (video thread) and
 * {@link IgtlAnnotationSender} (annotating thread), which read the connected clients without a lock and hand each a
 * {@code retainedDuplicate()} of one buffer ({@link IgtlClient}: newest wins).
 * <p>
 * A channel's pipeline: {@link IgtlDecoder} (what clients send: checked, then ignored) and the {@link IgtlClient}.
 */
public final class IgtlServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IgtlServer.class.getName());

    private final IgtlServerSettings settings;
    private final int streams;
    private final ByteBufAllocator alloc;
    private final EventLoopGroup group;
    private final IgtlStream[] byIndex;
    private volatile IgtlClient[] clients = new IgtlClient[0];
    private Channel server;
    private int port = -1;

    /** @param streams how many streams there are (their indexes are 0..streams-1) */
    public IgtlServer(IgtlServerSettings settings, int streams) {
        this(settings, streams, PooledByteBufAllocator.DEFAULT);
    }

    public IgtlServer(IgtlServerSettings settings, int streams, ByteBufAllocator alloc) {
        if (!settings.concluded()) {
            throw new IllegalStateException("conclude() the openigtlink settings first");
        }
        this.settings = settings;
        this.streams = streams;
        this.alloc = alloc;
        this.byIndex = new IgtlStream[streams];
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("igtl-io", true),
                NioIoHandler.newFactory());
    }

    /** Binds; a busy port or a bad host fails with a message naming it. Returns the port (useful with port 0). */
    public int start() {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeBufferHighBytes() / 2, settings.writeBufferHighBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!settings.admits(ch.remoteAddress().getAddress())) {
                            LOG.warning(() -> "openigtlink: refused " + ch.remoteAddress()
                                    + " (not in openigtlink.allowedClients)");
                            ch.close();
                            return;
                        }
                        IgtlClient[] holder = new IgtlClient[1];
                        IgtlClient c = new IgtlClient(ch, streams, settings.alertQueueLimit(), () -> remove(holder[0]));
                        holder[0] = c;
                        ch.pipeline().addLast("igtl-decoder", new IgtlDecoder(settings.maxBodyBytes()));
                        ch.pipeline().addLast("igtl-client", c);
                        add(c);
                        LOG.info(() -> "openigtlink client " + c.remote() + " connected");
                    }
                });
        try {
            server = b.bind(settings.host(), settings.port()).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalArgumentException("openigtlink: cannot listen on " + settings.host() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        port = ((InetSocketAddress) server.localAddress()).getPort();
        LOG.info(() -> "openigtlink server on " + settings.host() + ":" + port + " (protocol " + settings.protocol() + ")");
        return port;
    }

    /** The bound port (-1 before {@link #start()}). */
    public int port() {
        return port;
    }

    public IgtlServerSettings settings() {
        return settings;
    }

    /**
     * The output of one stream: its video sink and annotation listener, to add to its pipeline.
     *
     * @param spacingMm the stream's millimetres per pixel (0: unknown; positions are then in pixels)
     */
    public synchronized IgtlStream stream(int index, String streamId, double spacingMm) {
        if (index < 0 || index >= streams || byIndex[index] != null) {
            throw new IllegalArgumentException("openigtlink: stream index " + index + " of " + streams + " is taken or out of range");
        }
        IgtlStream s = new IgtlStream(this, index, new IgtlDeviceNames(streamId), spacingMm);
        byIndex[index] = s;
        return s;
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    /** The connected clients, read without a lock by the senders. */
    IgtlClient[] clients() {
        return clients;
    }

    /** Clients connected now. */
    public int clientCount() {
        return clients.length;
    }

    /** Messages replaced by newer ones before their clients took them, over the clients connected now. */
    public long replaced() {
        long n = 0;
        for (IgtlClient c : clients) {
            n += c.replaced();
        }
        return n;
    }

    private synchronized void add(IgtlClient c) {
        IgtlClient[] next = Arrays.copyOf(clients, clients.length + 1);
        next[clients.length] = c;
        clients = next;
    }

    private synchronized void remove(IgtlClient c) {
        IgtlClient[] cur = clients;
        for (int i = 0; i < cur.length; i++) {
            if (cur[i] == c) {
                IgtlClient[] next = new IgtlClient[cur.length - 1];
                System.arraycopy(cur, 0, next, 0, i);
                System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
                clients = next;
                return;
            }
        }
    }

    /** Stops listening and closes every client (call after the pipelines are closed). */
    @Override
    public void close() {
        for (IgtlStream s : byIndex) {
            if (s != null) {
                s.close();
            }
        }
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (IgtlClient c : clients) {
            c.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
