package org.intravis.ui.igtl;

import org.intravis.capture.igtl.IgtlDecoder;
import org.intravis.capture.igtl.IgtlWire;

/**
 * The OpenIGTLink server's settings (the {@code openigtlink:} section), checked once by {@link #conclude()}.
 * The protocol has no authentication, so it listens on loopback unless a host is given.
 */
public final class IgtlServerSettings {
    private String host = "127.0.0.1";
    private int port = 18944;
    private int protocol = 2;
    private long maxBodyBytes = IgtlDecoder.DEFAULT_MAX_BODY_BYTES;
    private int alertQueueLimit = 64;
    private int writeBufferHighBytes = 2 << 20;
    private boolean concluded;

    public IgtlServerSettings host(String h) { check(); this.host = h; return this; }
    public IgtlServerSettings port(int p) { check(); this.port = p; return this; }
    /** 2: header version 1, read by every peer; 3: header version 2 with the extended header and metadata. */
    public IgtlServerSettings protocol(int v) { check(); this.protocol = v; return this; }
    /** Largest body accepted from a client. */
    public IgtlServerSettings maxBodyBytes(long n) { check(); this.maxBodyBytes = n; return this; }
    /** Alert messages waiting for one client beyond which it is closed (it is not reading). */
    public IgtlServerSettings alertQueueLimit(int n) { check(); this.alertQueueLimit = n; return this; }
    /** Bytes queued in a connection beyond which nothing more is written to it until it drains. */
    public IgtlServerSettings writeBufferHighBytes(int n) { check(); this.writeBufferHighBytes = n; return this; }

    public String host() { return host; }
    public int port() { return port; }
    public int protocol() { return protocol; }
    public long maxBodyBytes() { return maxBodyBytes; }
    public int alertQueueLimit() { return alertQueueLimit; }
    public int writeBufferHighBytes() { return writeBufferHighBytes; }

    /** The header version messages are sent with. */
    public int headerVersion() {
        return protocol == 3 ? IgtlWire.HEADER_V2 : IgtlWire.HEADER_V1;
    }

    public boolean concluded() {
        return concluded;
    }

    public IgtlServerSettings conclude() {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("openigtlink.host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("openigtlink.port must be 0..65535, was " + port);
        }
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("openigtlink.protocol must be 2 (header version 1, every peer reads it)"
                    + " or 3 (extended header with metadata), was " + protocol);
        }
        if (maxBodyBytes < 1 || alertQueueLimit < 1 || writeBufferHighBytes < 1024) {
            throw new IllegalArgumentException("openigtlink limits must be positive (write buffer at least 1 KiB)");
        }
        concluded = true;
        return this;
    }

    private void check() {
        if (concluded) {
            throw new IllegalStateException("openigtlink settings are concluded");
        }
    }
}
