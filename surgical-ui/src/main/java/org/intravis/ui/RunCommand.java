package org.intravis.ui;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code intravis run}: starts the streams and the server, and serves until stopped (Ctrl-C) or for
 * {@code --duration} seconds. With no options it runs the embedded default: a synthetic ultrasound stream,
 * the bundled model on the CPU, on port 8080.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the engine: capture, inference and the browser server.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--source", paramLabel = "[ID=]URI",
            description = "A stream source (repeat for several streams), e.g. synthetic:ultrasound, "
                    + "synthetic:fluoroscopy, file:case.mp4?loop=true, udp://0.0.0.0:5000, v4l2:/dev/video0, "
                    + "images:DIR. Replaces the configured streams. See 'intravis sources'.")
    List<String> sources = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see README).")
    Path config;

    @Option(names = "--port", description = "HTTP port (default 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--host", description = "Address to listen on (default: loopback without tokens, "
            + "every interface with them; anything but loopback needs a token: see 'intravis token').")
    String host;

    @Mixin
    TlsOptions tls = new TlsOptions();

    @Option(names = "--model", description = "Model for the --source streams: ultrasound, fluoroscopy, "
            + "ground-truth or none (default: by source).")
    String model;

    @Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--no-inference", description = "Video only: no model runs (the overlay shows AI OFF).")
    boolean noInference;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double durationSeconds;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where zones and recordings are kept.")
    Path dataDir;

    @Option(names = "--igtl-port", paramLabel = "PORT", description = "Serve OpenIGTLink on this port (18944 is "
            + "3D Slicer's default; 0 picks a free one), on loopback unless openigtlink.host is set. See docs/interop.md.")
    Integer igtlPort;

    @Override
    public Integer call() throws Exception {
        IntravisConfig cfg = ModuleSettings.validate(applyOverrides(ConfigLoader.load(config)));
        CountDownLatch stopped = new CountDownLatch(1);
        try (Application app = Application.start(cfg)) {
            Thread hook = new Thread(() -> {
                app.close();
                stopped.countDown();
            }, "shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            app.printBanner(System.out);
            if (durationSeconds != null) {
                stopped.await((long) (durationSeconds * 1000), TimeUnit.MILLISECONDS);
            } else {
                stopped.await();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running
            }
        }
        return 0;
    }

    IntravisConfig applyOverrides(IntravisConfig cfg) {
        if (!sources.isEmpty()) {
            cfg.streams = new ArrayList<>();
            int n = 1;
            for (String arg : sources) {
                IntravisConfig.Stream s = new IntravisConfig.Stream();
                int eq = arg.indexOf('=');
                int colon = arg.indexOf(':');
                if (eq > 0 && (colon < 0 || eq < colon)) {
                    s.id = arg.substring(0, eq);
                    s.source = arg.substring(eq + 1);
                } else {
                    s.id = "s" + n;
                    s.source = arg;
                }
                n++;
                cfg.streams.add(s);
            }
        }
        if (model != null) {
            cfg.streams.forEach(s -> s.model = model);
        }
        if (port != null) {
            cfg.server.port = port;
        }
        if (host != null) {
            cfg.server.host = host;
        }
        tls.applyTo(cfg.server);
        device.applyTo(cfg);
        if (noInference) {
            cfg.inference.enabled = false;
        }
        if (igtlPort != null) {
            cfg.openigtlink.port = igtlPort;
        }
        if (dataDir != null) {
            cfg.dataDir = dataDir.toString();
        }
        return cfg;
    }
}
