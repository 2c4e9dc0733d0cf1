package org.intravis.inference.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Needle masks as drawing tools save them, with an alpha band: the alpha is not the mask where it is the same
 * everywhere (before, an opaque RGBA mask had every pixel set, a frame without a needle became a needle frame and the
 * truth's tip was read from the whole picture), and it is the mask where a needle is painted on a transparent layer.
 */
class LabelRasterTest {
    private static final int S = 40;

    /** The needle: a 3-pixel-wide diagonal band, 30 pixels long. */
    private static boolean needle(int x, int y) {
        return x >= 5 && x < 35 && Math.abs(y - x) <= 1;
    }

    private static int needlePixels() {
        int n = 0;
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                n += needle(x, y) ? 1 : 0;
            }
        }
        return n;
    }

    private static boolean[] readBack(Path dir, String name, BufferedImage img) throws Exception {
        Path f = dir.resolve(name);
        assertThat(ImageIO.write(img, "png", f.toFile())).isTrue();
        BufferedImage back = ImageIO.read(f.toFile());
        assertThat(back.getColorModel().hasAlpha()).as("the PNG keeps its alpha band").isTrue();
        LabelRaster r = LabelRaster.read(f);
        assertThat(r).isNotNull();
        return r.nonZero();
    }

    private static void assertOnlyTheNeedle(boolean[] set) {
        int n = 0;
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                if (set[y * S + x]) {
                    assertThat(needle(x, y)).as("set at (%d, %d), off the needle", x, y).isTrue();
                    n++;
                }
            }
        }
        assertThat(n).isEqualTo(needlePixels());
    }

    @Test
    void anOpaqueRgbaMaskIsReadByItsColours(@TempDir Path dir) throws Exception {
        BufferedImage withNeedle = new BufferedImage(S, S, BufferedImage.TYPE_INT_ARGB);
        BufferedImage without = new BufferedImage(S, S, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                withNeedle.setRGB(x, y, needle(x, y) ? 0xFFFFFFFF : 0xFF000000);
                without.setRGB(x, y, 0xFF000000);
            }
        }
        assertOnlyTheNeedle(readBack(dir, "with.png", withNeedle));
        boolean[] none = readBack(dir, "without.png", without);
        for (boolean b : none) {
            assertThat(b).as("an opaque black mask: a frame without a needle").isFalse();
        }
    }

    @Test
    void aNeedlePaintedOnATransparentLayerIsReadByItsAlpha(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(S, S, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                // the transparent background keeps a white colour under it, as some editors save it
                img.setRGB(x, y, needle(x, y) ? 0xFFFF0000 : 0x00FFFFFF);
            }
        }
        assertOnlyTheNeedle(readBack(dir, "layer.png", img));
    }

    @Test
    void anOpaqueGreyAndAlphaMaskIsReadByItsGrey(@TempDir Path dir) throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(S, S);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                raster.setPixel(x, y, new int[] {needle(x, y) ? 255 : 0, 255});
            }
        }
        assertOnlyTheNeedle(readBack(dir, "grey-alpha.png", new BufferedImage(cm, raster, false, null)));
    }
    /**
     * A lossless mask is set wherever it is non-zero, its drawn edges' faint values too; only a JPEG's are judged
     * against half its brightest (its compression rings).
     */
    @Test
    void aLosslessMaskIsSetWhereverItIsNonZero(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(S, S, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                img.getRaster().setSample(x, y, 0, needle(x, y) ? (y == x ? 255 : 40) : 0); // a soft-edged line
            }
        }
        Path f = dir.resolve("soft.png");
        assertThat(ImageIO.write(img, "png", f.toFile())).isTrue();
        assertOnlyTheNeedle(LabelRaster.read(f).nonZero());
    }
}
