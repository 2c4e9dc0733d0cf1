package org.intravis.capture.synthetic;

import org.intravis.pipeline.GroundTruth;

/**
 * Draws one kind of phantom. Built (textures, tables) once for a frame size; {@link #render} is then a pure
 * function of the frame's time and allocates nothing.
 */
interface PhantomRenderer {

    /**
     * Renders frame number {@code frame} (at {@code timeSeconds} on the scene clock) into {@code pixels}
     * (width x height bytes, tightly packed) and its ground truth into {@code truth} (label map and instrument).
     */
    void render(long frame, double timeSeconds, byte[] pixels, GroundTruth truth);

    /** Millimetres per pixel when the URI does not say. */
    double defaultPixelSpacingMm();
}
