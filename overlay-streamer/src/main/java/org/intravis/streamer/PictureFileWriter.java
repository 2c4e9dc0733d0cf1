package org.intravis.streamer;

import org.bytedeco.javacpp.BytePointer;

import java.io.IOException;

/**
 * A file that pictures are written to one by one, each with its time: a video ({@link VideoFileWriter}) or a DICOM
 * cine ({@link DicomCineWriter}). Complete only after {@link #close()}; {@link #abort()} leaves nothing usable behind.
 */
public interface PictureFileWriter {
    void open() throws IOException;

    /**
     * One picture ({@code stride} bytes a row, in the pixel format the writer was made for) at {@code ptsMillis};
     * returns the time written.
     */
    long write(BytePointer pixels, int stride, long ptsMillis) throws IOException;

    void close() throws IOException;

    void abort();

    int width();

    int height();
}
