package org.intravis.ui;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads {@link IntravisConfig} from YAML; every failure becomes a {@link UserError} that says where. What the values
 * mean to the modules is checked by {@link ModuleSettings#validate}.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // an empty value ("server:" alone, a bare "-" in streams) is an error here, with its line, rather than a
            // null that fails far from the file later
            .setDefaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.FAIL, Nulls.FAIL));

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
}
