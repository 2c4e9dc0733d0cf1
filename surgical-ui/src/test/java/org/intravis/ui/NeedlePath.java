package org.intravis.ui;

/**
 * Test fixture: where the test source's needle is at each frame. The tip moves from the entry point along a
 * straight path and back (a triangle wave), so tests know exactly where the overlay must be drawn.
 */
record NeedlePath(int width, int height, double fps, double periodSeconds) {
    float entryX() { return width * 0.08f; }
    float entryY() { return height * 0.12f; }
    float endX() { return width * 0.80f; }
    float endY() { return height * 0.78f; }

    /** How far along the path the tip is at a frame, 0..1. */
    double progress(long frameId) {
        double phase = (frameId / fps) / periodSeconds % 1.0;
        return phase < 0.5 ? phase * 2 : 2 - phase * 2;
    }

    float tipX(long frameId) {
        return (float) (entryX() + (endX() - entryX()) * (0.15 + 0.85 * progress(frameId)));
    }

    float tipY(long frameId) {
        return (float) (entryY() + (endY() - entryY()) * (0.15 + 0.85 * progress(frameId)));
    }

    /** A point on the path at fraction f of its length (for drawing a zone around it). */
    float pathX(double f) { return (float) (entryX() + (endX() - entryX()) * f); }
    float pathY(double f) { return (float) (entryY() + (endY() - entryY()) * f); }
}
