package org.intravis.capture.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.capture.FrameSources;
import org.intravis.pipeline.CaptureException;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.GroundTruth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

/**
 * Writes phantom frames for training and inspection: for each dumped frame {@code frame-NNNNNN.png} (the
 * picture), {@code labels-NNNNNN.png} (label values 0 background, 1 nerve, 2 vessel, 3 instrument, stored as is)
 * and {@code frame-NNNNNN.json} (frame index, time, size, pixel spacing, instrument kind/visibility, tip, entry).
 *
 * <pre>
 * java -cp ... org.intravis.capture.synthetic.PhantomDump KIND COUNT WIDTHxHEIGHT SEED STRIDE OUTDIR
 * e.g.  PhantomDump ultrasound 400 1280x720 7 11 /tmp/phantom-us
 * </pre>
 * Frame i of the dump is the source's frame {@code i * STRIDE} (at 30 fps), so a stride that does not divide the
 * phantom's cycle samples every phase of the motion.
 */
public final class PhantomDump {
    private PhantomDump() {
    }

    public static void main(String[] args) throws IOException, CaptureException {
        if (args.length != 6) {
            System.err.println("usage: PhantomDump ultrasound|fluoroscopy COUNT WIDTHxHEIGHT SEED STRIDE OUTDIR");
            System.exit(2);
        }
        String kind = args[0];
        int count = Integer.parseInt(args[1]);
        String[] size = args[2].toLowerCase(Locale.ROOT).split("x");
        int w = Integer.parseInt(size[0]);
        int h = Integer.parseInt(size[1]);
        long seed = Long.parseLong(args[3]);
        int stride = Integer.parseInt(args[4]);
        Path out = Path.of(args[5]);
        if (count < 1 || stride < 1) {
            throw new IllegalArgumentException("COUNT and STRIDE must be at least 1");
        }
        dump(kind, count, w, h, seed, stride, out);
    }

    static void dump(String kind, int count, int w, int h, long seed, int stride, Path out)
            throws IOException, CaptureException {
        Files.createDirectories(out);
        String uri = "synthetic:" + kind + "?width=" + w + "&height=" + h + "&seed=" + seed + "&pace=fast";
        FrameSource fs = FrameSources.create(uri);
        if (!(fs instanceof SyntheticSource src)) {
            throw new IllegalArgumentException(uri + " is not a synthetic source");
        }
        ObjectMapper json = new ObjectMapper();
        try (src) {
            src.open();
            FrameSlot slot = new FrameSlot(0, src.geometry(), true);
            Mat pic = new Mat(h, w, CV_8UC1);
            Mat lab = new Mat(h, w, CV_8UC1);
            byte[] buf = new byte[w * h];
            for (int i = 0; i < count; i++) {
                long index = (long) i * stride;
                src.renderFrame(index, slot);
                slot.pixels().get(0, buf, 0, w * h);
                pic.data().put(buf, 0, w * h);
                GroundTruth gt = slot.groundTruth();
                lab.data().put(gt.labels(), 0, w * h);
                String stem = String.format(Locale.ROOT, "%06d", i);
                write(out.resolve("frame-" + stem + ".png"), pic);
                write(out.resolve("labels-" + stem + ".png"), lab);
                ObjectNode o = json.createObjectNode();
                o.put("kind", kind);
                o.put("frame", index);
                o.put("timeSeconds", index / src.nominalFps());
                o.put("seed", seed);
                o.put("width", w);
                o.put("height", h);
                o.put("pixelSpacingMm", src.pixelSpacingMm());
                o.put("instrumentVisible", gt.instrumentVisible());
                if (gt.instrumentVisible()) {
                    o.put("instrumentKind", gt.instrumentKind());
                    o.put("tipX", gt.tipX());
                    o.put("tipY", gt.tipY());
                    o.put("entryX", gt.entryX());
                    o.put("entryY", gt.entryY());
                }
                json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("frame-" + stem + ".json").toFile(), o);
            }
            pic.close();
            lab.close();
        }
        System.out.println("wrote " + count + " " + kind + " frames to " + out);
    }

    private static void write(Path p, Mat m) throws IOException {
        if (!imwrite(p.toString(), m)) {
            throw new IOException("OpenCV could not write " + p);
        }
    }
}
