package org.intravis.pipeline.testing;

import org.intravis.pipeline.Annotations;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every field of {@link Annotations}, found by reflection, so that tests can hold {@code clear()}, {@code copyFrom()}
 * and the overlay JSON to all of them, including fields added after the tests were written.
 * <p>
 * A field is a scalar (header values, counts) or an array whose first {@link #liveLength} entries are live; which
 * count makes an array's entries live is read from its name ({@code tip...} by {@code tipCount}, and so on). An
 * array named otherwise fails {@link #countOf}: whoever adds one says here which count governs it.
 */
public final class AnnotationFields {
    /** Array name prefix, longest first, and the count that says how many of its entries are live. */
    private static final String[][] COUNTS = {
            {"points", "pointCount"}, {"heatmap", "heatmapClasses"}, {"alert", "alertCount"},
            {"dist", "distanceCount"}, {"zone", "zoneCount"}, {"line", "lineCount"}, {"tip", "tipCount"}};

    /** Each count (and heat-map side) and its capacity. */
    private static final Map<String, Integer> CAPACITY = Map.of(
            "tipCount", Annotations.MAX_TIPS, "lineCount", Annotations.MAX_LINES, "zoneCount", Annotations.MAX_ZONES,
            "pointCount", Annotations.MAX_POINTS, "distanceCount", Annotations.MAX_DISTANCES,
            "alertCount", Annotations.MAX_ALERTS, "heatmapClasses", Annotations.MAX_HEATMAP_CLASSES,
            "heatmapWidth", Annotations.MAX_HEATMAP_SIDE, "heatmapHeight", Annotations.MAX_HEATMAP_SIDE);

    private AnnotationFields() {
    }

    /** Every instance field, made accessible. */
    public static List<Field> all() {
        List<Field> out = new ArrayList<>();
        for (Field f : Annotations.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }

    public static boolean isArray(Field f) {
        return f.getType().isArray();
    }

    /** The count field that makes an array's entries live. */
    public static String countOf(Field array) {
        for (String[] c : COUNTS) {
            if (array.getName().startsWith(c[0])) {
                return c[1];
            }
        }
        throw new AssertionError("Annotations." + array.getName() + ": which count makes its entries live? "
                + "(add its name prefix to AnnotationFields.COUNTS)");
    }

    /** How many entries of an array are live in {@code a}. */
    public static int liveLength(Annotations a, Field array) {
        return switch (array.getName()) {
            case "points" -> 2 * intOf(a, "pointCount");
            case "heatmap" -> intOf(a, "heatmapClasses") * intOf(a, "heatmapWidth") * intOf(a, "heatmapHeight");
            default -> intOf(a, countOf(array));
        };
    }

    public static Object get(Annotations a, Field f) {
        try {
            return f.get(a);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static int intOf(Annotations a, String name) {
        try {
            Field f = Annotations.class.getDeclaredField(name);
            f.setAccessible(true);
            return f.getInt(a);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A holder with every field set through reflection to a value that no other seed and no fresh holder has:
     * numbers from the seed, strings naming the field, enums by the seed, arrays filled entirely. Counts are at their
     * capacity when {@code full} (so every array entry is live), else 1; zones own consecutive runs of points.
     */
    public static Annotations filled(int seed, boolean full) {
        Annotations a = new Annotations();
        int k = 0;
        try {
            for (Field f : all()) {
                k++;
                if (isArray(f)) {
                    fill(f.get(a), seed);
                } else if (CAPACITY.containsKey(f.getName())) {
                    f.setInt(a, full ? CAPACITY.get(f.getName()) : 1);
                } else {
                    f.set(a, scalar(f.getType(), seed, k, f.getName()));
                }
            }
            int zones = full ? Annotations.MAX_ZONES : 1;
            int per = (full ? Annotations.MAX_POINTS : 1) / zones;
            for (int z = 0; z < zones; z++) {
                a.zonePointOffset[z] = z * per;
                a.zonePointCount[z] = per;
            }
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
        return a;
    }

    private static Object scalar(Class<?> type, int seed, int k, String name) {
        int v = seed * 1000 + k;
        if (type == int.class) {
            return v;
        } else if (type == long.class) {
            return (long) v;
        } else if (type == double.class) {
            return v + 0.5;
        } else if (type == float.class) {
            return v + 0.5f;
        } else if (type == byte.class) {
            return (byte) (seed * 16 + k);
        } else if (type == boolean.class) {
            return seed % 2 == 1;
        } else if (type == String.class) {
            return "seed" + seed + "-" + name;
        } else if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            return constants[seed % constants.length];
        }
        throw new AssertionError("Annotations: no test value for a field of type " + type
                + " (teach AnnotationFields.scalar)");
    }

    private static void fill(Object array, int seed) {
        int n = Array.getLength(array);
        Class<?> c = array.getClass().getComponentType();
        for (int i = 0; i < n; i++) {
            int v = seed * 100_000 + i;
            if (c == int.class) {
                Array.setInt(array, i, v);
            } else if (c == long.class) {
                Array.setLong(array, i, v);
            } else if (c == float.class) {
                Array.setFloat(array, i, v + 0.25f);
            } else if (c == double.class) {
                Array.setDouble(array, i, v + 0.25);
            } else if (c == byte.class) {
                Array.setByte(array, i, (byte) (seed * 7 + i));
            } else if (c == boolean.class) {
                Array.setBoolean(array, i, (i + seed) % 2 == 0);
            } else if (c == String.class) {
                Array.set(array, i, "seed" + seed + "-" + i);
            } else {
                throw new AssertionError("Annotations: no test values for an array of " + c
                        + " (teach AnnotationFields.fill)");
            }
        }
    }
}
