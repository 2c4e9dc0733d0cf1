package org.intravis.ui.igtl;

import org.intravis.capture.igtl.IgtlDecoder;
import org.intravis.capture.igtl.IgtlWire;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The OpenIGTLink server's settings (the {@code openigtlink:} section), checked once by {@link #conclude()}.
 * The protocol has no authentication, so it listens on loopback unless a host is given, and then only the peers
 * listed in {@code allowedClients} (by IP address; this machine always) are served: no credential can be asked of
 * them, so the address is the rule (docs/security.md).
 */
public final class IgtlServerSettings {
    private String host = "127.0.0.1";
    private int port = 18944;
    private int protocol = 2;
    private long maxBodyBytes = IgtlDecoder.DEFAULT_MAX_BODY_BYTES;
    private int alertQueueLimit = 64;
    private int writeBufferHighBytes = 2 << 20;
    private List<String> allowedClients = List.of();
    private final Set<InetAddress> allowed = new LinkedHashSet<>();
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
    /** Peers (IP addresses) served besides this machine's own; required when the host is beyond loopback. */
    public IgtlServerSettings allowedClients(List<String> ips) { check(); this.allowedClients = List.copyOf(ips); return this; }

    public String host() { return host; }
    public int port() { return port; }
    public int protocol() { return protocol; }
    public long maxBodyBytes() { return maxBodyBytes; }
    public int alertQueueLimit() { return alertQueueLimit; }
    public int writeBufferHighBytes() { return writeBufferHighBytes; }

    /** Whether a peer at {@code address} is served: this machine always, others when listed. */
    public boolean admits(InetAddress address) {
        return address.isLoopbackAddress() || allowed.contains(address);
    }

    /** Whether the host binds beyond loopback. */
    public boolean beyondLoopback() {
        try {
            return !InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("openigtlink.host " + host + " cannot be resolved: " + e.getMessage(), e);
        }
    }

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
        for (String ip : allowedClients) {
            allowed.add(literal(ip));
        }
        if (beyondLoopback() && allowed.isEmpty()) {
            throw new IllegalArgumentException("openigtlink.host " + host + " is beyond loopback, and OpenIGTLink has no"
                    + " credentials: list the peers that may connect in openigtlink.allowedClients (IP addresses)");
        }
        concluded = true;
        return this;
    }

    /** An IP address as written (a host name would make the rule depend on DNS). */
    private static InetAddress literal(String ip) {
        String s = ip == null ? "" : ip.trim();
        if (!s.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("openigtlink.allowedClients: '" + ip + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("openigtlink.allowedClients: '" + ip + "' is not an IP address", e);
        }
    }

    private void check() {
        if (concluded) {
            throw new IllegalStateException("openigtlink settings are concluded");
        }
    }
}
