package org.intravis.capture.ffmpeg;

import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Native pointers to the slots' pixel memory, made once per slot (a ring has a fixed set of slots) so that
 * writing a frame into a slot creates no object.
 */
final class SlotPointers {
    private final Map<ByteBuffer, BytePointer> pointers = new IdentityHashMap<>();

    /** A pointer to the first byte of {@code pixels} (its position and limit are ignored and left alone). */
    BytePointer of(ByteBuffer pixels) {
        BytePointer p = pointers.get(pixels);
        if (p == null) {
            p = new BytePointer(pixels.duplicate().clear());
            pointers.put(pixels, p);
        }
        return p;
    }

    void clear() {
        pointers.clear();
    }
}
