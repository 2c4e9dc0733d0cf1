package org.intravis.ui;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import org.intravis.inference.remote.InferenceNode;
import org.intravis.inference.remote.InferenceProtocol;

import java.util.Map;
import java.util.Optional;

/**
 * The access rules of an inference node (docs/security.md, docs/remote-inference.md), the HTTP server's applied to
 * gRPC calls: without tokens, and only while the node is on loopback, every call is let in; otherwise a call needs
 * {@code authorization: Bearer TOKEN} in its metadata, a token of the node's data directory, with the role the call
 * needs: {@code operator} for ModelInfer (it spends the node's GPU), {@code viewer} for ModelMetadata. A missing or
 * wrong token is UNAUTHENTICATED (and counted against the address, as a failed login), a role too low
 * PERMISSION_DENIED. The health questions (ServerLive, ServerReady, ModelReady, gRPC's Health/Check) never reach
 * here, like {@code /health}.
 */
final class NodeAccess implements InferenceNode.CallGuard {
    private final Vertx vertx;
    private final TokenStore tokens;
    private final AuditTrail audit;
    private final boolean loopbackOnly;
    private final LoginThrottle throttle = new LoginThrottle();

    NodeAccess(Vertx vertx, TokenStore tokens, AuditTrail audit, boolean loopbackOnly) {
        this.vertx = vertx;
        this.tokens = tokens;
        this.audit = audit;
        this.loopbackOnly = loopbackOnly;
        // tokens created or revoked while the node runs count within a second, as on the HTTP server
        vertx.setPeriodic(AccessRules.REFRESH_MS, t -> vertx.executeBlocking(() -> {
            tokens.refresh();
            return null;
        }, false));
    }

    /** The role a call needs. */
    static Role needs(String rpc) {
        return rpc.equals(InferenceProtocol.MODEL_INFER.name()) ? Role.OPERATOR : Role.VIEWER;
    }

    @Override
    public Future<Void> admit(String rpc, String authorization, String address) {
        if (loopbackOnly && tokens.isEmpty()) {
            return Future.succeededFuture();
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Future.failedFuture(new StatusException(GrpcStatus.UNAUTHENTICATED, "a token is needed: send "
                    + "'authorization: Bearer TOKEN' in the call's metadata (inference.remote.tokenFile)"));
        }
        long wait = throttle.retryAfterSeconds(address);
        if (wait > 0) {
            return Future.failedFuture(new StatusException(GrpcStatus.RESOURCE_EXHAUSTED, "too many refused tokens "
                    + "from " + address + ": try again in " + wait + " s"));
        }
        String token = authorization.substring(7).trim();
        return vertx.executeBlocking(() -> { // the first check of a token is a slow hash
            Optional<TokenStore.Entry> e = tokens.verify(token);
            if (e.isEmpty()) {
                throttle.failed(address);
                audit.append(new AuditTrail.Actor("?", "none", address), null, "login.failure", Map.of("via", "grpc"));
            }
            return e;
        }, false).compose(e -> {
            if (e.isEmpty()) {
                return Future.failedFuture(new StatusException(GrpcStatus.UNAUTHENTICATED,
                        "the token is not valid (revoked, or mistyped)"));
            }
            Role role = needs(rpc);
            if (!e.get().role().included().contains(role)) {
                return Future.failedFuture(new StatusException(GrpcStatus.PERMISSION_DENIED, "token '"
                        + e.get().name() + "' is a " + e.get().role().id() + ": " + rpc + " needs the " + role.id()
                        + " role"));
            }
            return Future.succeededFuture();
        });
    }
}
