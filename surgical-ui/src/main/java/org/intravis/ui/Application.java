package org.intravis.ui;

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
    private volatile boolean closed;

    private Application(IntravisConfig config, Engine engine, StatsSampler stats, IntravisServer server, int port) {
        this.config = config;
        this.engine = engine;
        this.stats = stats;
        this.server = server;
        this.port = port;
    }

    /** Starts everything or nothing: on failure what was started is closed and the error propagates. */
    public static Application start(IntravisConfig config) {
        // no tokens, no network: checked before anything starts, so a refused --host costs nothing
        String host = ListenAddress.choose(config.server.host, !new TokenStore(Path.of(config.dataDir)).isEmpty(),
                config.dataDir);
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
            int port = server.listen(host, config.server.port);
            return new Application(config, engine, stats, server, port);
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

    public Engine engine() {
        return engine;
    }

    public StatsSampler stats() {
        return stats;
    }

    void printBanner(PrintStream out) {
        out.println("intravis " + Intravis.version() + " serving http://localhost:" + port + "/");
        int tokens = new TokenStore(Path.of(config.dataDir)).list().size();
        out.println(tokens == 0 ? "  access:  open, on this machine only (no tokens; see 'intravis token create')"
                : "  access:  " + tokens + " token(s); browsers log in at /login, programs send 'Authorization: Bearer'");
        for (Engine.EngineStream s : engine.streams()) {
            var g = s.pipeline().source().geometry();
            out.printf("  %-8s %s  %dx%d %s  model %s%n", s.id(), s.settings().source, g.maxWidth(), g.maxHeight(),
                    g.format(), s.model());
            out.printf("           display: http://localhost:%d/display?stream=%s%n", port, s.id());
        }
        out.flush();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
        stats.close();
        engine.close();
    }
}
