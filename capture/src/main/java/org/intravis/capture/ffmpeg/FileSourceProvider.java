package org.intravis.capture.ffmpeg;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.capture.dicom.DicomSource;
import org.intravis.pipeline.FrameSource;

import java.nio.file.Path;
import java.util.Set;

/** {@code file:PATH}: a video file read through FFmpeg ({@link FileSource}); a DICOM file by {@link DicomSource}. */
public final class FileSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("pace", "loop", "format", "maxWidth", "maxHeight",
            "decoderThreads", PixelAspect.KEY);
    private static final Set<String> DICOM_OPTIONS = Set.of("pace", "loop", "format");

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public String usage() {
        return "file:PATH[?pace=realtime|fast&loop=false&format=gray|bgr&maxWidth=W&maxHeight=H&pixelAspect=W:H]"
                + "  video file (mp4, mkv, avi, mov, ts, ...) through FFmpeg";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        if (!uri.location().isBlank() && DicomSource.isDicomFile(Path.of(uri.location()))) {
            // FFmpeg does not read DICOM (one sample even passed for a TIFF): the DICOM reader plays it
            KnownOptions.require(uri, DICOM_OPTIONS);
            return new DicomSource(uri);
        }
        KnownOptions.require(uri, OPTIONS);
        return new FileSource(uri);
    }
}
