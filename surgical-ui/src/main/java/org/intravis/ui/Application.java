package org.intravis.ui;

import org.intravis.capture.SourceUri;
import org.intravis.inference.InferenceService;
import org.intravis.inference.ZoneStore;
import org.intravis.streamer.StreamHub;

import java.io.PrintStream;
import java.nio.file.Path;

/** The running application: the engine (streams), the stats sampler and the HTTP server, closed in reverse. */
public final class Application implements AutoCloseable {
    private final IntravisConfig config;
    private final Engine engine;
    private final StatsSampler stats;
    private final IntravisServer server;
    private final int port;
    private final String scheme;
    private volatile boolean closed;

    private Application(IntravisConfig config, Engine engine, StatsSampler stats, IntravisServer server, int port,
                        String scheme) {
        this.config = config;
        this.scheme = scheme;
        this.engine = engine;
        this.stats = stats;
        this.server = server;
        this.port = port;
    }

    /** Starts everything or nothing: on failure what was started is closed and the error propagates. */
    public static Application start(IntravisConfig config) {
        ServerTls tls = ServerTls.from(config.server); // a bad certificate or key stops us before anything starts
        // no tokens, no network: checked before anything starts, so a refused --host costs nothing
        boolean tokensExist = !new TokenStore(Path.of(config.dataDir)).isEmpty();
        String host = ListenAddress.choose(config.server.host, tokensExist, config.dataDir);
        // the same rule for OpenIGTLink, which can ask no credential: beyond loopback only on a server with tokens
        var igtl = ModuleSettings.igtl(config);
        if (igtl != null && igtl.beyondLoopback() && !tokensExist) {
            throw new UserError("openigtlink.host " + igtl.host() + " would open OpenIGTLink to the network with no"
                    + " tokens in " + config.dataDir + ": create one first with 'intravis token create --name NAME"
                    + " --role admin --data-dir " + config.dataDir + "' (docs/security.md)");
        }
        // one zone store, shared by the models (risk zones) and the HTTP API (the surgeon draws them)
        ZoneStore zones = new ZoneStore(Path.of(config.dataDir));
        InferenceService inference = config.inference.enabled
                ? new InferenceService(ModuleSettings.inference(config), zones) : null;
        Engine engine = new Engine(config, new StreamHub(ModuleSettings.streamer(config)), inference);
        StatsSampler stats = null;
        IntravisServer server = null;
        try {
            engine.start();
            stats = new StatsSampler(engine).start();
            server = new IntravisServer(engine, stats, zones);
            int port = server.listen(host, config.server.port, tls);
            engine.startRetention(server::auditRemoved); // once the server listens: each removal is in its audit trail
            return new Application(config, engine, stats, server, port, tls.scheme());
        } catch (RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (stats != null) {
                stats.close();
            }
            engine.close();
            throw e;
        }
    }

    IntravisServer server() {
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code https} when serving with TLS, else {@code http}. */
    public String scheme() {
        return scheme;
    }

    public Engine engine() {
        return engine;
    }

    public StatsSampler stats() {
        return stats;
    }

    void printBanner(PrintStream out) {
        out.println("intravis " + Intravis.version() + " serving " + scheme + "://localhost:" + port + "/");
        int tokens = new TokenStore(Path.of(config.dataDir)).list().size();
        out.println(tokens == 0 ? "  access:  open, on this machine only (no tokens; see 'intravis token create')"
                : "  access:  " + tokens + " token(s); browsers log in at /login, programs send 'Authorization: Bearer'");
        for (Engine.EngineStream s : engine.streams()) {
            var g = s.pipeline().source().geometry();
            out.printf("  %-8s %s  %dx%d %s  model %s%n", s.id(), SourceUri.redact(s.settings().source), g.maxWidth(), g.maxHeight(),
                    g.format(), s.model());
            out.printf("           display: %s://localhost:%d/display?stream=%s%n", scheme, port, s.id());
        }
        engine.igtl().ifPresent(i -> out.printf("  openigtlink on %s:%d (protocol %d)%n", i.settings().host(),
                i.port(), i.settings().protocol()));
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // the engine first: its streams close their clients with a proper close frame while the event loops still
        // run; closing the server first would close the sockets behind the fan-out's back (a frame could follow
        // the close frame, which browsers report as an error) and stop the loops those closes run on
        stats.close();
        engine.close();
        server.close();
    }
}
