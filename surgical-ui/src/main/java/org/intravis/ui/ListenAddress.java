package org.intravis.ui;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the server may listen: without tokens nobody is asked for a credential, so only this machine may reach it
 * (loopback); with tokens, anywhere. An empty {@code server.host} picks accordingly.
 */
final class ListenAddress {
    static final String LOOPBACK = "127.0.0.1";
    static final String ANY = "0.0.0.0";

    private ListenAddress() {
    }

    /** The address to bind, or a {@link UserError} when {@code configured} would open the server without tokens. */
    static String choose(String configured, boolean tokensExist, String dataDir) {
        if (configured == null || configured.isBlank()) {
            return tokensExist ? ANY : LOOPBACK;
        }
        if (!tokensExist && !isLoopback(configured)) {
            throw new UserError("--host " + configured + " would open the server to the network with no tokens in "
                    + dataDir + ": create one first with 'intravis token create --name NAME --role admin --data-dir "
                    + dataDir + "' (docs/security.md)");
        }
        return configured;
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new UserError("cannot resolve --host " + host + ": " + e.getMessage(), e);
        }
    }
}
