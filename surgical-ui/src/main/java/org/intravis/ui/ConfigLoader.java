package org.intravis.ui;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Reads and validates {@link IntravisConfig} from YAML; every failure becomes a {@link UserError} that says where. */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ConfigLoader() {
    }

    /** The embedded default when {@code file} is null. */
    public static IntravisConfig load(Path file) {
        if (file == null) {
            return new IntravisConfig();
        }
        try {
            String text = Files.readString(file);
            IntravisConfig c = text.isBlank() ? new IntravisConfig() : YAML.readValue(text, IntravisConfig.class);
            return c == null ? new IntravisConfig() : c;
        } catch (NoSuchFileException e) {
            throw new UserError("configuration file not found: " + file);
        } catch (JsonMappingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new UserError("configuration " + file + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UserError("cannot read configuration " + file + ": " + e.getMessage());
        }
    }

    /** Checks what the types cannot: ids, ports, sizes. */
    public static IntravisConfig validate(IntravisConfig c) {
        if (c.server.port < 0 || c.server.port > 65535) {
            throw new UserError("server.port must be 0..65535, was " + c.server.port);
        }
        if (c.streams == null || c.streams.isEmpty()) {
            throw new UserError("no streams configured: give --source URI or a streams: section");
        }
        Set<String> ids = new HashSet<>();
        for (IntravisConfig.Stream s : c.streams) {
            if (s.id == null || !s.id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new UserError("stream id '" + s.id + "' must be 1-32 letters, digits, '-' or '_'");
            }
            if (!ids.add(s.id)) {
                throw new UserError("stream id '" + s.id + "' is used twice");
            }
            if (s.source == null || s.source.isBlank()) {
                throw new UserError("stream " + s.id + " has no source");
            }
        }
        if (c.pipeline.ringSize < 2 || Integer.bitCount(c.pipeline.ringSize) != 1) {
            throw new UserError("pipeline.ringSize must be a power of two >= 2, was " + c.pipeline.ringSize);
        }
        if (c.inference.maxBatch < 1) {
            throw new UserError("inference.maxBatch must be at least 1");
        }
        Recordings.settings(c); // the recording section's mistakes are found at start, not at the first recording
        return c;
    }
}
