package org.intravis.inference.onnx;

import org.intravis.inference.Allocations;
import org.intravis.inference.InferenceBackend;
import org.intravis.inference.InferenceException;

/** A backend's steady state: runs of 1 to 4 rows alternating its two tensor sets, as a busy worker makes them. */
final class SteadyRuns {
    private SteadyRuns() {
    }

    /** Bytes allocated on this thread's Java heap by 40 runs after 20 to warm up (0 or less: none). */
    static long bytesAllocated(InferenceBackend backend) throws InferenceException {
        for (int i = 0; i < 20; i++) {
            backend.run(i % 2, 1 + i % 4);
        }
        long overhead = Allocations.overheadOfCurrent();
        long before = Allocations.current();
        for (int i = 0; i < 40; i++) {
            backend.run(i % 2, 1 + i % 4);
        }
        return Allocations.current() - before - overhead;
    }
}
