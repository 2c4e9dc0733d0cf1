package org.intravis.capture.dicom;

/** A DICOM file this reader cannot play; the message completes "DICOM file PATH ..." for the user. */
final class DicomFormatException extends RuntimeException {
    DicomFormatException(String message) {
        super(message);
    }
}
