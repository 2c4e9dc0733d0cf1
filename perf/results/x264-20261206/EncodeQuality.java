// The picture each H.264 encoder gives at the same bitrate setting (run with the source launcher, this folder's README):
// 90 frames of the ultrasound phantom at the size given, the raw grey source and each encoder's Annex-B stream written
// to /tmp/x264q/ for FFmpeg's psnr filter. Needs the GPL natives on the class path for libx264.
import org.bytedeco.javacpp.BytePointer;
import org.intravis.pipeline.FrameSlot;
import org.intravis.streamer.*;
import org.intravis.perf.PhantomFrames;
import java.io.*;
import java.nio.ByteBuffer;
import java.util.List;
public class EncodeQuality {
    public static void main(String[] a) throws Exception {
        String res = a[0];
        int[] wh = PhantomFrames.size(res);
        List<FrameSlot> frames = PhantomFrames.render("ultrasound", wh[0], wh[1], 90);
        try (OutputStream raw = new BufferedOutputStream(new FileOutputStream("/tmp/x264q/src-" + res + ".gray"))) {
            for (FrameSlot f : frames) {
                ByteBuffer p = f.pixels().duplicate(); byte[] row = new byte[wh[0]];
                for (int y = 0; y < wh[1]; y++) { p.position(y * f.stride()); p.get(row); raw.write(row); }
            }
        }
        for (String enc : new String[] {"libopenh264", "libx264"}) {
            AvVideoEncoder e = new AvVideoEncoder(Encoding.H264, new StreamerSettings().h264Encoder(enc).conclude(), 30);
            try (OutputStream out = new BufferedOutputStream(new FileOutputStream("/tmp/x264q/" + enc + "-" + res + ".h264"))) {
                for (FrameSlot f : frames) {
                    int n = e.encode(new BytePointer(f.pixels()), f.width(), f.height(), f.stride(), AvVideoEncoder.avPixelFormat(f.format()), false);
                    if (n > 0) out.write(e.packetBytes());
                }
            }
            System.out.println(enc + " " + e.codecName());
            e.close();
        }
    }
}
