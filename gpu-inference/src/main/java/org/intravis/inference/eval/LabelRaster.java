package org.intravis.inference.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A label map or mask as stored, for the evaluator: per pixel its value (first band) and whether any band is non-zero.
 *
 * @param values  per pixel, the first band's value (a palette index for palette PNGs)
 * @param nonZero per pixel, whether any band is non-zero
 */
record LabelRaster(int width, int height, int[] values, boolean[] nonZero) {

    /** The file for an image's base name in {@code folder} ({@code .png} or {@code .bmp}), or null. */
    static Path match(Path folder, String base) {
        for (String ext : new String[] {".png", ".bmp", ".PNG", ".BMP"}) {
            Path p = folder.resolve(base + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Reads one: palette PNGs give their palette indices (what label maps usually are; OpenCV would expand them to
     * colours), grey images their values, colour images their first band. Null when it cannot be read.
     */
    static LabelRaster read(Path file) {
        java.awt.image.BufferedImage img;
        try {
            img = javax.imageio.ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (img == null) {
            return null;
        }
        java.awt.image.Raster r = img.getRaster();
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = r.getNumBands();
        int[] values = new int[w * h];
        boolean[] anyBand = new boolean[w * h];
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                values[y * w + x] = px[0];
                for (int b = 0; b < bands; b++) {
                    if (px[b] != 0) {
                        anyBand[y * w + x] = true;
                    }
                }
            }
        }
        return new LabelRaster(w, h, values, anyBand);
    }
}
