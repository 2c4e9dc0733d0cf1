package org.intravis.capture;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The text header of a MetaImage file ({@code .mha} with the pixels after it, or {@code .mhd} naming a separate
 * data file), as the PLUS toolkit writes its tracked-ultrasound sequences: {@code Key = Value} lines ending with
 * {@code ElementDataFile}, and per-frame fields such as {@code Seq_Frame0003_Timestamp}.
 */
public final class MetaImageHeader {
    /** Headers of long sequences hold a few hundred bytes per frame; anything far larger is not a header. */
    private static final int MAX_HEADER_BYTES = 64 << 20;

    private final Path file;
    private final Map<String, String> fields;
    private final long dataOffset;

    private MetaImageHeader(Path file, Map<String, String> fields, long dataOffset) {
        this.file = file;
        this.fields = fields;
        this.dataOffset = dataOffset;
    }

    /** Reads the header; fails with a message naming the file when it is not a MetaImage header. */
    public static MetaImageHeader read(Path file) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        long offset = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            while (true) {
                int b = in.read();
                boolean eof = b < 0;
                if (eof && line.size() == 0) {
                    throw new IOException(file + " is not a MetaImage file: no ElementDataFile line in its header");
                }
                if (!eof) {
                    offset++;
                }
                if (offset > MAX_HEADER_BYTES) {
                    throw new IOException(file + " is not a MetaImage file: no end of header in the first "
                            + (MAX_HEADER_BYTES >> 20) + " MB");
                }
                if (!eof && b != '\n') {
                    line.write(b);
                    continue;
                }
                String text = line.toString(StandardCharsets.ISO_8859_1).strip();
                line.reset();
                if (text.isEmpty()) {
                    continue;
                }
                int eq = text.indexOf('=');
                if (eq <= 0) {
                    throw new IOException(file + " is not a MetaImage file: header line '" + abbreviate(text)
                            + "' is not 'Key = Value'");
                }
                String key = text.substring(0, eq).strip();
                fields.put(key, text.substring(eq + 1).strip());
                if (key.equals("ElementDataFile")) {
                    break;
                }
                if (eof) { // a last line without a line break that is not ElementDataFile
                    throw new IOException(file + " is not a MetaImage file: no ElementDataFile line in its header");
                }
            }
        }
        if (!fields.containsKey("DimSize")) {
            throw new IOException(file + " is not a MetaImage file: its header has no DimSize");
        }
        return new MetaImageHeader(file, Collections.unmodifiableMap(fields), offset);
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 60 ? printable.substring(0, 60) + "..." : printable;
    }

    public Path file() { return file; }
    public Map<String, String> fields() { return fields; }
    /** Where the pixels start in the header's own file (for {@code ElementDataFile = LOCAL}). */
    public long dataOffset() { return dataOffset; }

    public String get(String key, String fallback) {
        return fields.getOrDefault(key, fallback);
    }

    /** {@code DimSize} as numbers, e.g. {@code [820, 616, 21]}. */
    public int[] dimSize() throws IOException {
        String[] parts = get("DimSize", "").trim().split("\\s+");
        int[] dims = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                dims[i] = Integer.parseInt(parts[i]);
            }
        } catch (NumberFormatException e) {
            throw new IOException(file + ": DimSize '" + get("DimSize", "") + "' is not a list of whole numbers");
        }
        return dims;
    }

    public boolean compressed() {
        return get("CompressedData", "False").toLowerCase(Locale.ROOT).equals("true");
    }

    /** The file holding the pixels: this file for LOCAL, else the named one beside it. */
    public Path dataFile() throws IOException {
        String name = get("ElementDataFile", "LOCAL");
        if (name.equalsIgnoreCase("LOCAL")) {
            return file;
        }
        try {
            Path p = Path.of(name);
            return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
        } catch (java.nio.file.InvalidPathException e) { // a damaged header: binary bytes in the file name
            throw new IOException(file + ": ElementDataFile '" + abbreviate(name) + "' is not a file name");
        }
    }

    /** Whether the pixels follow the header in the same file. */
    public boolean local() {
        return get("ElementDataFile", "LOCAL").equalsIgnoreCase("LOCAL");
    }

    /** A frame's {@code Seq_FrameNNNN_Timestamp} in seconds, or NaN when it has none. */
    public double timestamp(int frame) {
        String v = fields.get(String.format(Locale.ROOT, "Seq_Frame%04d_Timestamp", frame));
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The first {@code ElementSpacing} value (millimetres per pixel), or NaN when absent or unreadable. */
    public double spacingX() {
        String v = fields.get("ElementSpacing");
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
