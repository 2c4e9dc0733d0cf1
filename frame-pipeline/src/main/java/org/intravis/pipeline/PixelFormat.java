package org.intravis.pipeline;

/** Pixel layouts a {@link FrameSlot} can hold. Ultrasound and fluoroscopy are grey; endoscopy is colour. */
public enum PixelFormat {
    /** 8-bit grey, one byte per pixel. */
    GRAY8(1),
    /** 8-bit blue-green-red, OpenCV's native colour order. */
    BGR24(3);

    private final int bytesPerPixel;

    PixelFormat(int bytesPerPixel) {
        this.bytesPerPixel = bytesPerPixel;
    }

    public int bytesPerPixel() {
        return bytesPerPixel;
    }
}
