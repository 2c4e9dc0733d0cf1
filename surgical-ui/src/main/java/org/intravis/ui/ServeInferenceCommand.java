package org.intravis.ui;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import org.intravis.inference.BackendFactory;
import org.intravis.inference.BackendOptions;
import org.intravis.inference.BatchShape;
import org.intravis.inference.ConvAlgoSearch;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.ModelLoadException;
import org.intravis.inference.ModelSource;
import org.intravis.inference.remote.InferenceNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code intravis serve-inference}: this machine as an inference node. Its models (ONNX Runtime, CPU or CUDA) answer
 * the Open Inference Protocol over gRPC, batching the frames of every edge that calls, so that a site can share its
 * GPUs among operating rooms without Triton (docs/remote-inference.md). The access rules are the HTTP server's:
 * without tokens on loopback only, beyond loopback with tokens and, because frames and tokens cross the network,
 * with TLS.
 */
@Command(name = "serve-inference", mixinStandardHelpOptions = true,
        description = "Serve models over the Open Inference Protocol (KServe v2 / Triton gRPC) to other intravis.")
final class ServeInferenceCommand implements Callable<Integer> {

    @Option(names = "--port", description = "gRPC port (default 8001, Triton's; 0 picks a free one).")
    int port = 8001;

    @Option(names = "--host", description = "Address to listen on (default: loopback; every interface with tokens "
            + "and TLS). Beyond loopback needs tokens (intravis token create --role operator) and --tls-cert/--tls-key.")
    String host;

    @Option(names = "--device", description = "cpu or cuda (default cpu).")
    String device = "cpu";

    @Option(names = "--model", paramLabel = "NAME", description = "A model to serve, by name or path to its .onnx "
            + "(repeat for several; default: ultrasound).")
    List<String> models = new ArrayList<>();

    @Option(names = "--models-dir", paramLabel = "DIR", description = "Folder searched for NAME/NAME.onnx first.")
    Path modelsDir;

    @Option(names = "--max-batch", description = "Rows per ONNX Runtime call across all clients (default 8).")
    int maxBatch = 8;

    @Option(names = "--threads", description = "ONNX Runtime threads per call (0: its default).")
    int threads;

    @Mixin
    TlsOptions tlsOptions = new TlsOptions();

    @Option(names = "--health-port", paramLabel = "N", description = "Also answer gRPC's standard health check "
            + "(grpc.health.v1.Health/Check: serving or not, nothing else) on this plain port, for probes that speak "
            + "neither TLS nor tokens (Kubernetes' gRPC probe).")
    Integer healthPort;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the tokens are (tokens.json).")
    Path dataDir = Path.of(new IntravisConfig().dataDir);

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this many seconds.")
    Double durationSeconds;

    @Override
    public Integer call() throws Exception {
        ServerTls tls = ServerTls.from(tlsOptions.applyTo(new IntravisConfig.Server()));
        TokenStore tokens = new TokenStore(dataDir);
        String bind = bindAddress(host, !tokens.isEmpty(), tls.enabled(), dataDir.toString());
        if (healthPort != null && (healthPort < 0 || healthPort > 65535 || (healthPort == port && port != 0))) {
            throw new UserError("--health-port must be 0..65535 and not --port, was " + healthPort);
        }
        if (maxBatch < 1 || maxBatch > 64) {
            throw new UserError("--max-batch must be 1..64, was " + maxBatch);
        }
        Map<String, InferenceBackend> backends = new LinkedHashMap<>();
        Vertx vertx = Vertx.vertx();
        InferenceNode node = null;
        try {
            for (String m : models.isEmpty() ? List.of("ultrasound") : models) {
                ModelSource source = ModelSource.locate(m, modelsDir);
                backends.put(source.name(), BackendFactory.open(source, new BackendOptions(device, maxBatch, 1, threads,
                        BatchShape.AUTO, ConvAlgoSearch.EXHAUSTIVE)));
            }
            NodeAccess access = new NodeAccess(vertx, tokens, new AuditTrail(dataDir), ListenAddress.isLoopback(bind));
            try {
                node = InferenceNode.start(vertx, tls.applyTo(new HttpServerOptions().setHost(bind).setPort(port)
                        .setTcpNoDelay(true)), backends, access,
                        healthPort == null ? null : new HttpServerOptions().setHost(bind).setPort(healthPort));
            } catch (Exception e) {
                Throwable c = e.getCause() == null ? e : e.getCause();
                if (c instanceof BindException || String.valueOf(c.getMessage()).contains("Address already in use")) {
                    throw new UserError("cannot listen on " + bind + ":" + port + ": " + c.getMessage(), c);
                }
                throw e;
            }
        } catch (ModelLoadException e) {
            backends.values().forEach(InferenceBackend::close);
            vertx.close();
            throw new UserError(e.getMessage(), e);
        } catch (RuntimeException e) {
            backends.values().forEach(InferenceBackend::close);
            vertx.close();
            throw e;
        }
        StringBuilder banner = new StringBuilder("intravis inference node on " + (tls.enabled() ? "grpcs" : "grpc")
                + "://" + bind + ":" + node.port() + " serving");
        backends.forEach((n, b) -> banner.append(' ').append(n).append(' ').append(b.spec().version()).append(" on ")
                .append(b.device()));
        banner.append(tokens.isEmpty() ? "; open (no tokens, loopback only)" : "; tokens required");
        if (node.healthPort() >= 0) {
            banner.append("; health check only on ").append(bind).append(':').append(node.healthPort());
        }
        System.out.println(banner);
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        InferenceNode running = node;
        Thread hook = new Thread(() -> {
            running.close();
            vertx.close();
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (durationSeconds != null) {
            if (!stopped.await((long) (durationSeconds * 1000), TimeUnit.MILLISECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                hook.run();
            }
        } else {
            stopped.await();
        }
        return 0;
    }

    /**
     * The address to bind: given, or loopback unless tokens and TLS both exist. Beyond loopback a node needs tokens
     * (as the HTTP server) and TLS (the frames and the tokens would cross the network in clear).
     */
    static String bindAddress(String configured, boolean tokensExist, boolean tls, String dataDir) {
        String chosen = configured == null || configured.isBlank()
                ? (tokensExist && tls ? ListenAddress.ANY : ListenAddress.LOOPBACK)
                : ListenAddress.choose(configured, tokensExist, dataDir);
        if (!ListenAddress.isLoopback(chosen) && !tls) {
            throw new UserError("--host " + chosen + " would send frames and tokens across the network in clear: give "
                    + "--tls-cert and --tls-key (docs/tls.md)");
        }
        return chosen;
    }
}
