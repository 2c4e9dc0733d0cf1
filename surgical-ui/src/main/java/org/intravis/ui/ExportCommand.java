package org.intravis.ui;

import org.intravis.streamer.DicomStoreClient;
import org.intravis.streamer.DicomTls;
import org.intravis.streamer.VideoCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code intravis export --recording DIR --output FILE.mp4}: a recorded session as one video with the overlay it
 * was shown with burned in (H.264 by default), playable by any player.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a recorded session as one video with the overlays burned in.")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--recording", required = true, paramLabel = "DIR", description = "A session folder written by the recorder.")
    Path recording;

    @Option(names = "--output", required = true, paramLabel = "FILE",
            description = "The video to write (.mp4 or .mkv), or a DICOM cine (.dcm: JPEG frames, for a PACS).")
    Path output;

    @Option(names = "--codec", description = "h264 (default), mjpeg, ffvhuff or ffv1 (a .mp4 or .mkv's).")
    String codec;

    @Option(names = "--bitrate-kbps", description = "H.264 bit rate (default: about 0.3 bits per pixel per frame).")
    long bitrateKbps;

    @Option(names = "--no-overlay", description = "Export the (de-identified) picture alone.")
    boolean noOverlay;

    @Option(names = "--send", paramLabel = "AE@HOST:PORT",
            description = "Then store the .dcm in that PACS or teaching-file archive (as 'intravis send' does, "
                    + "calling AE title INTRAVIS; over TLS with --tls).")
    String send;

    @Mixin
    DicomTlsOptions tls;

    @Override
    public Integer call() {
        if (codec != null && RecordingExporter.container(output).equals(RecordingExporter.DICOM)) {
            throw new UserError("--codec is for a .mp4 or .mkv; a .dcm export has JPEG baseline frames");
        }
        if (send != null && !RecordingExporter.container(output).equals(RecordingExporter.DICOM)) {
            throw new UserError("--send stores a DICOM file: give a .dcm --output");
        }
        // checked before the export, which may take minutes
        DicomStoreClient.Destination archive = send == null ? null : SendCommand.destination(send, "INTRAVIS");
        DicomTls secure = tls.toTls();
        if (secure != null && archive == null) {
            throw new UserError("--tls is for --send: the archive to store in");
        }
        VideoCodec c;
        try {
            c = VideoCodec.byName(codec == null ? "h264" : codec);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        ProgressBar bar = new ProgressBar(System.out, "export", -1);
        RecordingExporter.Result r = new RecordingExporter(recording, output, c, bitrateKbps * 1000, !noOverlay)
                .run(bar::total, bar::update);
        bar.finish();
        System.out.printf(Locale.ROOT, "exported %d frames (%dx%d, %s) to %s: %.1f MB in %.1f s, %.1f frames/s%n",
                r.frames(), r.width(), r.height(), r.format(), output, r.bytes() / 1e6, r.seconds(), r.fps());
        if (archive != null) {
            System.out.println(SendCommand.store(output, archive, secure, SendCommand.DEFAULT_TIMEOUT_S,
                    SendCommand.DEFAULT_RETRIES, SendCommand.DEFAULT_RETRY_WAIT_S));
        }
        return 0;
    }
}
