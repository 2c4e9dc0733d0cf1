package org.intravis.capture;

import org.intravis.pipeline.FrameSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Creates a {@link FrameSource} from a URI by asking the registered {@link FrameSourceProvider}s. */
public final class FrameSources {
    private static final Map<String, FrameSourceProvider> BY_SCHEME = load();

    private FrameSources() {
    }

    private static Map<String, FrameSourceProvider> load() {
        Map<String, FrameSourceProvider> map = new TreeMap<>();
        for (FrameSourceProvider p : ServiceLoader.load(FrameSourceProvider.class, FrameSources.class.getClassLoader())) {
            for (String s : p.schemes()) {
                map.put(s, p);
            }
        }
        return map;
    }

    /** Creates a source for {@code uri}; unknown schemes fail with the list of known ones. */
    public static FrameSource create(String uri) {
        return create(SourceUri.parse(uri));
    }

    public static FrameSource create(SourceUri uri) {
        FrameSourceProvider p = BY_SCHEME.get(uri.scheme());
        if (p == null) {
            throw new IllegalArgumentException("unknown source scheme '" + uri.scheme() + "' in '" + uri.redacted()
                    + "'; known schemes: " + String.join(", ", BY_SCHEME.keySet()));
        }
        return p.create(uri);
    }

    /** Every URI form, one per line, for help texts. */
    public static List<String> usage() {
        List<String> lines = new ArrayList<>();
        BY_SCHEME.values().stream().distinct().forEach(p -> lines.add(p.usage()));
        return lines;
    }
}
