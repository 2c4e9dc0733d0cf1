package org.intravis.inference.remote;

import io.vertx.grpc.common.GrpcStatus;

/** A call to the inference server failed: its gRPC status (null when no answer came at all) and why. */
public final class RemoteCallException extends RuntimeException {
    private final GrpcStatus status;

    public RemoteCallException(String rpc, GrpcStatus status, String detail) {
        super(rpc + (status == null ? " got no answer" : " answered " + status.name()) + ": " + detail);
        this.status = status;
    }

    /** The answer's status, or null when the server was not reached. */
    public GrpcStatus status() {
        return status;
    }
}
