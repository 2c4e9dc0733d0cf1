package org.intravis.inference;

import org.intravis.pipeline.Modality;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A model's ONNX bytes and its sidecar, found by name or by path.
 * <p>
 * A name ({@code ultrasound}) is looked up as {@code <modelsDir>/<name>/<name>.onnx} when a models directory is
 * configured (a directory that is not there is an error), then on the classpath as
 * {@code /models/<name>/<name>.onnx}. Anything that ends in {@code .onnx} or
 * contains a path separator is a file path. The sidecar is the same path with {@code .json} instead of
 * {@code .onnx}.
 *
 * @param name     the model's name as asked for
 * @param location where the ONNX file was found (for status and errors)
 * @param onnx     the network
 * @param spec     the parsed sidecar
 */
public record ModelSource(String name, String location, byte[] onnx, ModelSpec spec) {

    /**
     * The model a stream runs when none is named: the one named after the modality its source declares
     * ({@code ultrasound}, {@code fluoroscopy}, {@code endoscopy}: a model of that name in the models directory or
     * bundled), and the ultrasound model for a source that cannot tell.
     */
    public static String defaultFor(Modality modality) {
        return modality == Modality.UNKNOWN ? "ultrasound" : modality.name().toLowerCase(Locale.ROOT);
    }

    /** Finds and reads a model and its sidecar; fails with a message naming what was looked for and where. */
    public static ModelSource locate(String nameOrPath, Path modelsDir) throws ModelLoadException {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new ModelLoadException("no model given");
        }
        boolean isPath = nameOrPath.endsWith(".onnx") || nameOrPath.contains("/") || nameOrPath.contains("\\");
        if (isPath) {
            return fromFile(Path.of(nameOrPath));
        }
        if (modelsDir != null) {
            if (!Files.isDirectory(modelsDir)) {
                // not a quiet fall-back to the bundled model: a mistyped folder would measure the wrong network
                throw new ModelLoadException("models dir " + modelsDir + " is not a directory");
            }
            Path p = modelsDir.resolve(nameOrPath).resolve(nameOrPath + ".onnx");
            if (Files.isRegularFile(p)) {
                return fromFile(p);
            }
        }
        String resource = "/models/" + nameOrPath + "/" + nameOrPath + ".onnx";
        byte[] onnx = readResource(resource);
        if (onnx == null) {
            throw new ModelLoadException("model '" + nameOrPath + "' not found: looked for "
                    + (modelsDir != null ? modelsDir.resolve(nameOrPath).resolve(nameOrPath + ".onnx") + " and " : "")
                    + "classpath:" + resource);
        }
        String sidecarResource = resource.substring(0, resource.length() - 5) + ".json";
        byte[] sidecar = readResource(sidecarResource);
        if (sidecar == null) {
            throw new ModelLoadException("model '" + nameOrPath + "' (classpath:" + resource
                    + "): sidecar classpath:" + sidecarResource + " not found");
        }
        return new ModelSource(nameOrPath, "classpath:" + resource, onnx,
                ModelSpec.parse(sidecar, "classpath:" + sidecarResource));
    }

    /** The SHA-256 of the ONNX bytes, in hex: what recordings and exports name the network by. */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static ModelSource fromFile(Path onnxPath) throws ModelLoadException {
        String file = onnxPath.getFileName().toString();
        String base = file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
        Path sidecar = onnxPath.resolveSibling(base + ".json");
        if (!Files.isRegularFile(onnxPath)) {
            throw new ModelLoadException("model '" + base + "': file " + onnxPath.toAbsolutePath() + " not found");
        }
        if (!Files.isRegularFile(sidecar)) {
            throw new ModelLoadException("model '" + base + "' (" + onnxPath.toAbsolutePath() + "): sidecar "
                    + sidecar.toAbsolutePath() + " not found");
        }
        try {
            return new ModelSource(base, onnxPath.toAbsolutePath().toString(), Files.readAllBytes(onnxPath),
                    ModelSpec.parse(Files.readAllBytes(sidecar), sidecar.toAbsolutePath().toString()));
        } catch (IOException e) {
            throw new ModelLoadException("model '" + base + "' (" + onnxPath.toAbsolutePath() + "): cannot read: " + e, e);
        }
    }

    /**
     * The model's cheaper graph for this device (the sidecar's {@code fallback}, or on the CPU its {@code fallback.cpu}
     * where it names one: {@link ModelSpec.Fallback#on}) with the same sidecar, read from beside the model's file; null
     * when the model declares none. A declared file that is missing is an error naming it.
     */
    public ModelSource fallback(boolean cpuDevice) throws ModelLoadException {
        if (spec.fallback() == null) {
            return null;
        }
        ModelSpec.Fallback f = spec.fallback().on(cpuDevice);
        String prefix = "classpath:";
        byte[] bytes;
        String where;
        if (location.startsWith(prefix)) {
            String resource = location.substring(prefix.length());
            resource = resource.substring(0, resource.lastIndexOf('/') + 1) + f.file();
            bytes = readResource(resource);
            where = prefix + resource;
        } else {
            Path p = Path.of(location).resolveSibling(f.file());
            where = p.toString();
            try {
                bytes = Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
            } catch (IOException e) {
                throw new ModelLoadException("model '" + name + "': cannot read its fallback " + where + ": " + e, e);
            }
        }
        if (bytes == null) {
            throw new ModelLoadException("model '" + name + "': its sidecar declares the fallback " + f.file()
                    + " but " + where + " is not there");
        }
        return new ModelSource(name, where, bytes, spec);
    }

    private static byte[] readResource(String resource) throws ModelLoadException {
        try (InputStream in = ModelSource.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read classpath:" + resource + ": " + e, e);
        }
    }
}
