package org.intravis.inference.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A label map or mask as stored, for the evaluator: per pixel its value (first band), whether any band is non-zero,
 * and its colour.
 *
 * @param values  per pixel, the first band's value (a palette index for palette PNGs)
 * @param nonZero per pixel, whether any colour band is non-zero (a JPEG's: above half its brightest value; a mask
 *                painted on a transparent layer: its alpha)
 * @param rgb     per pixel, its colour as {@code 0xRRGGBB} (a palette PNG's: the palette's; for colour label maps),
 *                null unless asked for (reading colours costs about 30 ms a 1080x860 mask)
 */
record LabelRaster(int width, int height, int[] values, boolean[] nonZero, int[] rgb) {

    /** Extensions of lossless files, tried first in this order. */
    static final List<String> LOSSLESS = List.of(".png", ".bmp", ".tif", ".tiff");
    /** Lossy files: accepted for binary needle masks only (a class value would not survive JPEG). */
    static final List<String> LOSSY = List.of(".jpg", ".jpeg");
    /** How datasets name an image's mask beside its own name, tried in this order after the name itself. */
    static final List<String> SUFFIXES = List.of("", "_mask", "-mask", "_masks", "_label", "-label", "_labels",
            "_gt", "_seg", "_needle");

    /**
     * The file for an image's base name in {@code folder}: {@code BASE.png}, then {@code .bmp}, {@code .tif},
     * {@code .tiff} (any case), then the same with each of {@link #SUFFIXES} ({@code BASE_mask.png}, ...); with
     * {@code lossyToo} JPEG files after the lossless ones; never {@code image} itself: where masks lie in the
     * images' own folder ({@code a.jpg} beside {@code a.png}, {@code a.png} beside {@code a_mask.png}) an image is not
     * its own mask. Null when there is none.
     */
    static Path match(Path folder, String base, boolean lossyToo, Path image) {
        for (String suffix : SUFFIXES) {
            Path p = find(folder, base + suffix, LOSSLESS, image);
            if (p == null && lossyToo) {
                p = find(folder, base + suffix, LOSSY, image);
            }
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    private static Path find(Path folder, String name, List<String> extensions, Path image) {
        for (String ext : extensions) {
            for (String e : new String[] {ext, ext.toUpperCase(Locale.ROOT)}) {
                Path p = folder.resolve(name + e);
                if (Files.isRegularFile(p) && !same(p, image)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static boolean same(Path p, Path image) {
        try {
            return image != null && Files.isSameFile(p, image);
        } catch (IOException e) {
            return false;
        }
    }

    /** What {@link #match} looked for, for a message. */
    static String lookedFor(String base, boolean lossyToo) {
        return base + ".png, " + base + "_mask.png, ... (suffixes " + String.join(" ", SUFFIXES.subList(1,
                SUFFIXES.size())) + "; .png .bmp .tif .tiff" + (lossyToo ? " .jpg .jpeg" : "") + ")";
    }

    /**
     * Reads one: palette PNGs give their palette indices (what label maps usually are; OpenCV would expand them to
     * colours), grey images their values, colour images their first band. Null when it cannot be read. A JPEG mask's
     * pixels count as set above half its brightest value (its compression rings around the shaft with small non-zero
     * values, and a 0/1 mask stays 0/1 apart), not at any non-zero value. An alpha band (drawing tools save masks as
     * RGBA or grey and alpha) is not a colour: where it is the same everywhere (an opaque mask) the colours say which
     * pixels are set, where it varies (a needle painted on a transparent layer) the alpha does.
     */
    static LabelRaster read(Path file) {
        return read(file, false);
    }

    /** As {@link #read(Path)}, with each pixel's colour too when {@code colours}. */
    static LabelRaster read(Path file, boolean colours) {
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
        // a palette's alpha is in its colours, not a band of the raster
        int alphaBand = img.getColorModel().hasAlpha() && bands > 1 ? bands - 1 : -1;
        int[] values = new int[w * h];
        int[] rgb = colours ? new int[w * h] : null;
        int[] colour = new int[w * h]; // per pixel, its brightest colour band
        int[] alpha = alphaBand < 0 ? null : new int[w * h];
        int max = 0;
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                values[y * w + x] = px[0];
                if (rgb != null) {
                    rgb[y * w + x] = img.getRGB(x, y) & 0xFFFFFF;
                }
                int b = 0;
                for (int i = 0; i < bands; i++) {
                    if (i != alphaBand) {
                        b = Math.max(b, px[i]);
                    }
                }
                colour[y * w + x] = b;
                max = Math.max(max, b);
                if (alpha != null) {
                    alpha[y * w + x] = px[alphaBand];
                }
            }
        }
        int[] says = alpha != null && varies(alpha) ? alpha : colour; // what says "set"
        int above = lossy(file) ? max / 2 : 0; // set: above it (a JPEG has no alpha)
        boolean[] anyBand = new boolean[w * h];
        for (int i = 0; i < anyBand.length; i++) {
            anyBand[i] = says[i] > above;
        }
        return new LabelRaster(w, h, values, anyBand, rgb);
    }

    private static boolean varies(int[] band) {
        for (int v : band) {
            if (v != band[0]) {
                return true;
            }
        }
        return false;
    }

    private static boolean lossy(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return LOSSY.stream().anyMatch(n::endsWith);
    }
}
