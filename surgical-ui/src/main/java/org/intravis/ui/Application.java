package org.intravis.ui;

import org.intravis.inference.ZoneStore;
import org.intravis.streamer.StreamHub;
import org.intravis.streamer.StreamerSettings;

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
        Engine engine = new Engine(config, new StreamHub(streamerSettings(config)));
        StatsSampler stats = null;
        IntravisServer server = null;
        try {
            engine.start();
            stats = new StatsSampler(engine).start();
            // the one zone store: hand the same instance to the InferenceService (new InferenceService(settings, zones))
            ZoneStore zones = new ZoneStore(Path.of(config.dataDir));
            server = new IntravisServer(engine, stats, zones);
            int port = server.listen(config.server.host, config.server.port);
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

    /** The streamer's settings from the configuration (streaming and pipeline sections). */
    static StreamerSettings streamerSettings(IntravisConfig c) {
        try {
            return new StreamerSettings()
                    .h264Encoder(c.streaming.h264Encoder)
                    .keyIntervalMillis(c.streaming.keyIntervalMs)
                    .jpegQuality(c.streaming.jpegQuality)
                    .staleAfterMillis(c.pipeline.staleAfterMs)
                    .conclude();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage().replace("streamer: ", "streaming."), e);
        }
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
        for (Engine.EngineStream s : engine.streams()) {
            var g = s.pipeline().source().geometry();
            out.printf("  %-8s %s  %dx%d %s  model %s%n", s.id(), s.settings().source, g.maxWidth(), g.maxHeight(),
                    g.format(), config.inference.enabled ? s.settings().modelOrDefault() : "off");
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
