package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;

/**
 * The TRANSFORM content (transform.md): the upper 3x4 of a homogeneous matrix as twelve float32, column by column
 * (R11 R21 R31 R12 R22 R32 R13 R23 R33 TX TY TZ); translations in mm.
 */
public final class IgtlTransform {
    public static final int CONTENT_SIZE = 48;

    private IgtlTransform() {
    }

    /** A pure translation (identity rotation). */
    public static void writeTranslation(ByteBuf out, float x, float y, float z) {
        out.writeFloat(1).writeFloat(0).writeFloat(0);
        out.writeFloat(0).writeFloat(1).writeFloat(0);
        out.writeFloat(0).writeFloat(0).writeFloat(1);
        out.writeFloat(x).writeFloat(y).writeFloat(z);
    }

    /** The twelve values as sent (columns of the rotation, then the translation). */
    public static float[] read(ByteBuf content) {
        if (content.readableBytes() != CONTENT_SIZE) {
            throw new IgtlProtocolException("TRANSFORM content is " + content.readableBytes() + " bytes, not "
                    + CONTENT_SIZE);
        }
        float[] m = new float[12];
        for (int i = 0; i < 12; i++) {
            m[i] = content.getFloat(content.readerIndex() + 4 * i);
        }
        return m;
    }
}
