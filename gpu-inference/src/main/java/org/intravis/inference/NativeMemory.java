package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Views of native memory at an exact address, made once at start-up.
 * <p>
 * JavaCPP applies a pointer's {@code position} in elements for typed parameters but in bytes for {@code void*}
 * ones (an OpenCV {@code Mat}'s data, for instance), which makes positioned views easy to get wrong. These views
 * carry their offset in the address itself and have position 0, so they mean the same thing everywhere.
 */
public final class NativeMemory {
    private NativeMemory() {
    }

    /** A float view of {@code count} floats starting {@code byteOffset} bytes into {@code base}. */
    public static FloatPointer floats(Pointer base, long byteOffset, long count) {
        long address = base.address() + base.position() * base.sizeof() + byteOffset;
        return new FloatPointer(new At(address)).capacity(count).limit(count);
    }

    /** A byte view of {@code count} bytes starting {@code byteOffset} bytes into {@code base}. */
    public static BytePointer bytes(Pointer base, long byteOffset, long count) {
        long address = base.address() + base.position() * base.sizeof() + byteOffset;
        return new BytePointer(new At(address)).capacity(count).limit(count);
    }

    /** A pointer that owns nothing, at a given address. */
    private static final class At extends Pointer {
        At(long address) {
            this.address = address;
        }
    }
}
