package org.intravis.pipeline;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NaturalOrderTest {
    @Test
    void numbersAreComparedByValue() {
        List<String> names = new ArrayList<>(List.of("f10.png", "f2.png", "f1.png", "f002.png", "g1.png", "f1b.png"));
        names.sort(NaturalOrder.NAMES);
        assertThat(names).containsExactly("f1.png", "f1b.png", "f002.png", "f2.png", "f10.png", "g1.png");
    }

    @Test
    void zeroPaddedFrameNumbersOfDifferentWidthsInterleaveByValue() {
        List<String> names = new ArrayList<>(List.of("clip_00010.png", "clip_9.png", "clip_00009b.png", "clip_100.png"));
        names.sort(NaturalOrder.NAMES);
        assertThat(names).containsExactly("clip_9.png", "clip_00009b.png", "clip_00010.png", "clip_100.png");
    }
}
