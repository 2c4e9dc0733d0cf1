package org.intravis.inference;

/**
 * The shares of a stream's frames a paced model takes when the CPU is saturated (set by the application's
 * {@code AiPacer} through {@link InferenceService#pace}): step 0 every frame, 1 two of three, 2 one of two, 3 one of
 * three. The frames left out are {@code inference_paced}; the video keeps every frame.
 */
public final class AiPace {
    private static final int[] KEEP = {1, 2, 1, 1};
    private static final int[] OF = {1, 3, 2, 3};
    /** Each step in words, built once: the worker stamps it on every overlay it makes (empty at step 0). */
    private static final String[] WORDS = new String[KEEP.length];

    static {
        for (int step = 0; step < KEEP.length; step++) {
            WORDS[step] = step == 0 ? "every frame" : KEEP[step] + " of " + OF[step] + " frames";
        }
    }

    private AiPace() {
    }

    public static int maxStep() {
        return KEEP.length - 1;
    }

    /** The share of the frames a model takes at {@code step}. */
    public static double share(int step) {
        return (double) KEEP[step] / OF[step];
    }

    /** What a step takes, in words. */
    public static String describe(int step) {
        return WORDS[step];
    }

    /** What a step takes, as overlays carry it: empty when the model takes every frame. */
    static String overlayWords(int step) {
        return step == 0 ? "" : WORDS[step];
    }

    /** Whether the {@code n}th frame offered at {@code step} is left out. */
    static boolean leftOut(long n, int step) {
        return n % OF[step] >= KEEP[step];
    }

    static void check(int step) {
        if (step < 0 || step > maxStep()) {
            throw new IllegalArgumentException("AI pace step " + step + " outside 0.." + maxStep());
        }
    }
}
