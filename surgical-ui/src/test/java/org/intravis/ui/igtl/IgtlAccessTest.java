package org.intravis.ui.igtl;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * OpenIGTLink can ask no credential, so the address is the rule: beyond loopback only the peers listed in
 * {@code allowedClients} are served (this machine always); a peer not listed is closed at once. Tested with real
 * sockets from this machine's own network address, which the server sees as a remote peer.
 */
class IgtlAccessTest {

    private static InetAddress networkAddress() throws IOException {
        for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!n.isUp() || n.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(n.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        return null;
    }

    /** Whether the server closes a connection from {@code from} (read returns end of stream) within 3 s. */
    private static boolean closedAtOnce(int port, InetAddress from) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(from, port), 3000);
            s.setSoTimeout(3000);
            try (InputStream in = s.getInputStream()) {
                return in.read() == -1; // no stream publishes here: a served client just waits
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
    }

    @Test
    void aPeerNotListedIsClosedAndThisMachineAndListedPeersAreServed() throws Exception {
        InetAddress self = networkAddress();
        assumeTrue(self != null, "this machine has no network address besides loopback");
        IgtlServer refusing = new IgtlServer(new IgtlServerSettings().host("0.0.0.0").port(0)
                .allowedClients(List.of("192.0.2.1")).conclude(), 1);
        try {
            int port = refusing.start();
            assertThat(closedAtOnce(port, self)).as("a peer not in allowedClients").isTrue();
            assertThat(closedAtOnce(port, InetAddress.getLoopbackAddress())).as("this machine").isFalse();
        } finally {
            refusing.close();
        }
        IgtlServer listing = new IgtlServer(new IgtlServerSettings().host("0.0.0.0").port(0)
                .allowedClients(List.of("192.0.2.1", self.getHostAddress())).conclude(), 1);
        try {
            assertThat(closedAtOnce(listing.start(), self)).as("a listed peer").isFalse();
        } finally {
            listing.close();
        }
    }

    @Test
    void beyondLoopbackTheAllowedPeersMustBeListedAsAddresses() {
        assertThatThrownBy(() -> new IgtlServerSettings().host("0.0.0.0").conclude())
                .hasMessageContaining("openigtlink.allowedClients");
        assertThatThrownBy(() -> new IgtlServerSettings().host("0.0.0.0").allowedClients(List.of("slicer.example")).conclude())
                .hasMessageContaining("'slicer.example' is not an IP address");
        assertThat(new IgtlServerSettings().conclude().beyondLoopback()).isFalse(); // loopback needs no list
    }
}
