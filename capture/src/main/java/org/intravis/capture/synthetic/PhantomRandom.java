package org.intravis.capture.synthetic;

/**
 * The phantoms' only source of randomness: SplitMix64, seeded from the scene seed and a purpose, so that every
 * texture and every per-cycle choice is a pure function of (seed, what, index) and frames are reproducible
 * whatever the pace or the order in which they are rendered.
 */
final class PhantomRandom {
    private long state;

    PhantomRandom(long seed, long purpose) {
        state = mix(seed * 0x9E3779B97F4A7C15L + purpose);
    }

    /** A well-mixed 64-bit hash of the inputs (stateless, for per-frame and per-cycle choices). */
    static long hash(long a, long b, long c) {
        return mix(mix(mix(a) ^ b * 0xC2B2AE3D27D4EB4FL) ^ c * 0x165667B19E3779F9L);
    }

    /** A uniform double in [0, 1) from a hash. */
    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    int nextInt(int bound) {
        return (int) ((nextLong() >>> 33) % bound);
    }

    /** A standard normal variate (sum of four uniforms, rescaled: fast and smooth enough for textures). */
    float gaussianFast() {
        long r = nextLong();
        int s = (int) (r & 0xFFFF) + (int) ((r >>> 16) & 0xFFFF) + (int) ((r >>> 32) & 0xFFFF) + (int) ((r >>> 48) & 0xFFFF);
        // four U(0,65535): mean 131070, sd 65536 * sqrt(4/12)
        return (float) ((s - 131070.0) / 37837.0);
    }
}
