package org.intravis.pipeline;

import org.intravis.pipeline.testing.AnnotationFields;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link Annotations#clear()} and {@link Annotations#copyFrom} must cover every field, found by reflection, so a field
 * added later cannot be forgotten by either: a slot would show the previous frame's value, or a stale one after the
 * exchange handed it over.
 */
class AnnotationsFieldsTest {

    /**
     * What clear() deliberately keeps, and why. Everything else must be back to a new holder's value.
     */
    private static final Map<String, String> KEPT_BY_CLEAR = Map.of(
            "streamIndex", "the stream's own constant, set once by the holder's owner",
            "frameWidth", "describes the stream, not one result; read only with a status other than NONE",
            "frameHeight", "describes the stream, not one result; read only with a status other than NONE",
            "pixelSpacingMm", "the stream's constant, set once by the holder's owner",
            "modelName", "the model's constant, set once by the holder's owner",
            "modelVersion", "the model's constant, set once by the holder's owner",
            "device", "the model's constant, set once by the holder's owner",
            "heatmapClassNames", "names for heatmapClasses entries; clear() sets that count to 0");

    @Test
    void everyArrayHasACountThatMakesItsEntriesLive() {
        for (Field f : AnnotationFields.all()) {
            if (AnnotationFields.isArray(f)) {
                String count = AnnotationFields.countOf(f);
                assertThat(AnnotationFields.all()).as("count of " + f.getName())
                        .anyMatch(c -> c.getName().equals(count) && !AnnotationFields.isArray(c));
            }
        }
    }

    @Test
    void clearResetsEveryFieldItDoesNotDeliberatelyKeep() {
        Annotations fresh = new Annotations();
        Annotations before = AnnotationFields.filled(1, true);
        Annotations a = AnnotationFields.filled(1, true);
        a.clear();
        for (Field f : AnnotationFields.all()) {
            String name = f.getName();
            if (KEPT_BY_CLEAR.containsKey(name)) {
                assertThat(same(AnnotationFields.get(a, f), AnnotationFields.get(before, f)))
                        .as(name + " is listed as kept by clear() (" + KEPT_BY_CLEAR.get(name) + ") but was changed: "
                                + "take it off the list").isTrue();
            } else if (AnnotationFields.isArray(f)) {
                assertThat(AnnotationFields.liveLength(a, f)).as("live entries of " + name + " after clear()").isZero();
            } else {
                assertThat(AnnotationFields.get(a, f)).as(name + " after clear(): reset it there, or list it in "
                        + "KEPT_BY_CLEAR with the reason").isEqualTo(AnnotationFields.get(fresh, f));
            }
        }
        assertThat(KEPT_BY_CLEAR.keySet()).as("fields KEPT_BY_CLEAR names")
                .allMatch(n -> AnnotationFields.all().stream().anyMatch(f -> f.getName().equals(n)));
    }

    @Test
    void copyFromCopiesEveryField() {
        Annotations src = AnnotationFields.filled(1, true);   // every count at capacity: every entry is live
        Annotations dst = AnnotationFields.filled(2, false);  // differs from src in every field
        for (Field f : AnnotationFields.all()) {
            assertThat(same(AnnotationFields.get(src, f), AnnotationFields.get(dst, f)))
                    .as("the test's two holders differ in " + f.getName()).isFalse();
        }
        dst.copyFrom(src);
        for (Field f : AnnotationFields.all()) {
            if (!same(AnnotationFields.get(dst, f), AnnotationFields.get(src, f))) {
                fail("copyFrom() does not copy Annotations." + f.getName());
            }
        }
    }

    private static boolean same(Object x, Object y) {
        return Objects.deepEquals(x, y);
    }
}
