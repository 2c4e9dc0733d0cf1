package org.intravis.pipeline.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test's work on a thread of its own, as a {@link CompletableFuture}. Not {@code CompletableFuture.runAsync}
 * without an executor: on a machine of one or two cores that is the common pool's one worker on Java 25 (Java 17 gave
 * each task a thread), so a task blocked in a native read holds up the task meant to close it, and the test hangs
 * where the product does not.
 */
public final class Async {
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final Executor THREAD_PER_TASK = task -> {
        Thread t = new Thread(task, "test-async-" + COUNT.incrementAndGet());
        t.setDaemon(true); // a task a failed test leaves blocked does not keep the test JVM alive
        t.start();
    };

    /** What a task computes; it may throw (the future then fails with that exception as its cause). */
    @FunctionalInterface
    public interface Task<T> {
        T call() throws Exception;
    }

    /** What a task does; it may throw (the future then fails with that exception as its cause). */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private Async() {
    }

    public static <T> CompletableFuture<T> supply(Task<T> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, THREAD_PER_TASK);
    }

    public static CompletableFuture<Void> run(Action action) {
        return supply(() -> {
            action.run();
            return null;
        });
    }
}
