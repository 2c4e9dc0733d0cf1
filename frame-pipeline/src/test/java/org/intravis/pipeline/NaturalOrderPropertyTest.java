package org.intravis.pipeline;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frame order of image folders and of {@code evaluate --sequence} on names of digits, letters and separators: a
 * total order (so a sort gives one answer), numbers by value however they are padded, a name before its own
 * continuations.
 */
class NaturalOrderPropertyTest {
    @Property
    void isAntisymmetricAndZeroOnlyForEqualNames(
            @ForAll @Chars({'0', '1', '9', 'a', 'b', '_', '.'}) @StringLength(max = 10) String a,
            @ForAll @Chars({'0', '1', '9', 'a', 'b', '_', '.'}) @StringLength(max = 10) String b) {
        assertThat(Integer.signum(NaturalOrder.compare(a, b))).isEqualTo(-Integer.signum(NaturalOrder.compare(b, a)));
        assertThat(NaturalOrder.compare(a, b) == 0).isEqualTo(a.equals(b));
    }

    @Property
    void aSortedListIsInOrderPairByPair(
            @ForAll @Size(max = 12) List<@Chars({'0', '1', '2', 'a', '_'}) @StringLength(max = 6) String> names) {
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(NaturalOrder.NAMES);
        for (int i = 0; i < sorted.size(); i++) {
            for (int j = i + 1; j < sorted.size(); j++) {
                assertThat(NaturalOrder.compare(sorted.get(i), sorted.get(j)))
                        .as("%s, %s", sorted.get(i), sorted.get(j)).isLessThanOrEqualTo(0);
            }
        }
    }

    @Property
    void frameNumbersCompareByValueWhateverTheirPadding(
            @ForAll @LongRange(max = 99_999_999_999L) long n, @ForAll @LongRange(max = 99_999_999_999L) long m,
            @ForAll @IntRange(max = 14) int padN, @ForAll @IntRange(max = 14) int padM,
            @ForAll @Chars({'a', '_', '-'}) @StringLength(max = 4) String prefix,
            @ForAll @Chars({'a', '.', 'b'}) @StringLength(max = 4) String suffix) {
        String a = prefix + pad(n, padN) + suffix;
        String b = prefix + pad(m, padM) + suffix;
        if (n != m) {
            assertThat(Integer.signum(NaturalOrder.compare(a, b))).as("%s, %s", a, b).isEqualTo(Long.signum(n - m));
        }
    }

    @Property
    void aNameComesBeforeItsOwnContinuations(
            @ForAll @Chars({'0', '1', '9', 'a', '_'}) @StringLength(max = 8) String name,
            @ForAll @Chars({'0', '1', '9', 'a', '_'}) @StringLength(min = 1, max = 4) String more) {
        assertThat(NaturalOrder.compare(name, name + more)).as("%s, %s", name, name + more).isNegative();
    }

    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return "0".repeat(Math.max(0, width - s.length())) + s;
    }
}
