package org.intravis.pipeline;

/**
 * Told when a stream's inference completes, on the inference worker's thread: the overlay publisher uses it to
 * send the overlay message at once rather than with the next video frame. Must not block and must not keep a
 * reference to the holder after returning (hot-path rule 4).
 */
@FunctionalInterface
public interface AnnotationListener {
    void onAnnotations(Annotations completed);
}
