package org.intravis.inference.remote;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where and how models run on an inference server speaking the Open Inference Protocol (an intravis node from
 * {@code intravis serve-inference}, or Triton): the configuration's {@code inference.remote} section, checked once.
 *
 * @param url                {@code grpc://HOST:PORT} (plain, loopback only) or {@code grpcs://HOST:PORT} (TLS)
 * @param models             the local model names that run remotely; empty: every model
 * @param remoteModel        the model's name on the server; empty: the local name
 * @param trustCert          PEM certificate(s) the server's must chain to; null: the JVM's trusted authorities
 * @param token              sent as {@code authorization: Bearer TOKEN} on every call; empty: none
 * @param maxInFlight        calls on the link at one time (across the models using it); one more is not made
 * @param connectTimeoutMs   connecting, and the start-up check of the model's metadata
 * @param fallback           whether a local ONNX Runtime copy of the model runs while the server cannot be reached
 * @param reconnectInitialMs first wait before probing an unreachable server again (doubling up to the max)
 * @param reconnectMaxMs     longest wait between probes
 */
public record RemoteSettings(String url, List<String> models, String remoteModel, Path trustCert, String token,
                             int maxInFlight, long connectTimeoutMs, boolean fallback, long reconnectInitialMs,
                             long reconnectMaxMs) {

    public RemoteSettings {
        models = models == null ? List.of() : List.copyOf(models);
        remoteModel = remoteModel == null ? "" : remoteModel.trim();
        token = token == null ? "" : token.trim();
        URI u = parse(url);
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("inference.remote.maxInFlight must be at least 1, was " + maxInFlight);
        }
        if (connectTimeoutMs < 1 || reconnectInitialMs < 1 || reconnectMaxMs < reconnectInitialMs) {
            throw new IllegalArgumentException("inference.remote: connectTimeoutMs and reconnectInitialMs must be "
                    + "positive and reconnectMaxMs at least reconnectInitialMs");
        }
        if (!tls(u) && !loopback(u.getHost())) {
            throw new IllegalArgumentException("inference.remote.url " + url + " is plain gRPC to a host beyond "
                    + "loopback: frames and the token would cross the network unencrypted; use grpcs://");
        }
        if (!tls(u) && trustCert != null) {
            throw new IllegalArgumentException("inference.remote.trustCert is for grpcs:// only (url " + url + ")");
        }
    }

    /** Settings with the defaults: every model, four calls in flight, no fallback, 250 ms to 1 s back-off. */
    public static RemoteSettings of(String url, Path trustCert, String token) {
        return new RemoteSettings(url, List.of(), "", trustCert, token, 4, 5000, false, 250, 1000);
    }

    /** Whether the model named {@code local} runs on the server. */
    public boolean appliesTo(String local) {
        return models.isEmpty() || models.contains(local);
    }

    /** The model's name on the server. */
    public String remoteName(String local) {
        return remoteModel.isEmpty() ? local : remoteModel;
    }

    public String host() { return parse(url).getHost(); }
    public int port() { return parse(url).getPort(); }
    public boolean tls() { return tls(parse(url)); }

    private static boolean tls(URI u) {
        return u.getScheme().equals("grpcs");
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("inference.remote.url is required with inference.backend: remote "
                    + "(grpc://HOST:PORT or grpcs://HOST:PORT)");
        }
        URI u;
        try {
            u = URI.create(url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inference.remote.url '" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("grpc") || scheme.equals("grpcs")) || u.getHost() == null || u.getPort() <= 0
                || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))) {
            throw new IllegalArgumentException("inference.remote.url '" + url + "' must be grpc://HOST:PORT or "
                    + "grpcs://HOST:PORT");
        }
        return u;
    }

    static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() { // never the token
        return "RemoteSettings{" + url + (models.isEmpty() ? "" : " for " + models) + ", maxInFlight " + maxInFlight
                + (fallback ? ", local fallback" : "") + (token.isEmpty() ? "" : ", with token") + "}";
    }
}
