package org.intravis.pipeline.testing;

/** Finding byte patterns in files the tests write or damage (a header's element, a start code, a marker). */
public final class Bytes {
    private Bytes() {
    }

    /** The first index of {@code needle} in {@code hay}; an AssertionError when it is not there. */
    public static int indexOf(byte[] hay, byte[] needle) {
        return indexOf(hay, needle, 0);
    }

    /** The first index of {@code needle} in {@code hay} at or after {@code from}; an AssertionError when none. */
    public static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
