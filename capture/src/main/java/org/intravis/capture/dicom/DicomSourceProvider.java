package org.intravis.capture.dicom;

import org.intravis.capture.FrameSourceProvider;
import org.intravis.capture.KnownOptions;
import org.intravis.capture.SourceUri;
import org.intravis.pipeline.FrameSource;

import java.util.Set;

/** {@code dicom:FILE}: a DICOM file, typically an ultrasound cine loop ({@link DicomSource}). */
public final class DicomSourceProvider implements FrameSourceProvider {
    private static final Set<String> OPTIONS = Set.of("pace", "loop", "fps", "pixelSpacingMm", "format");

    @Override
    public Set<String> schemes() {
        return Set.of("dicom");
    }

    @Override
    public String usage() {
        return "dicom:FILE[?pace=realtime|fast&loop=false&fps=N&pixelSpacingMm=MM&format=gray|bgr]"
                + "  DICOM image or multi-frame cine (native, RLE, JPEG, JPEG-LS, JPEG 2000, or an MPEG-2, H.264 or "
                + "HEVC stream), paced by its frame times";
    }

    @Override
    public FrameSource create(SourceUri uri) {
        KnownOptions.require(uri, OPTIONS);
        return new DicomSource(uri);
    }
}
