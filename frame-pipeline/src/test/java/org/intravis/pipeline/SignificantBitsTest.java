package org.intravis.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignificantBitsTest {

    @Test
    void theDepthIsTheSmallestUsualOneThatHoldsTheLargestValue() {
        assertThat(SignificantBits.depthOf(0)).isEqualTo(8);
        assertThat(SignificantBits.depthOf(255)).isEqualTo(8);
        assertThat(SignificantBits.depthOf(256)).isEqualTo(10);
        assertThat(SignificantBits.depthOf(1023)).isEqualTo(10);
        assertThat(SignificantBits.depthOf(1024)).isEqualTo(12);
        assertThat(SignificantBits.depthOf(4095)).isEqualTo(12);
        assertThat(SignificantBits.depthOf(4096)).isEqualTo(14);
        assertThat(SignificantBits.depthOf(16384)).isEqualTo(16);
        assertThat(SignificantBits.depthOf(65535)).isEqualTo(16);
        assertThatThrownBy(() -> SignificantBits.depthOf(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignificantBits.depthOf(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void valuesAreScaledFromTheirDepthToEightBitsRounded() {
        SignificantBits twelve = new SignificantBits();
        assertThat(twelve.depth()).isZero();
        assertThat(twelve.see(4000)).isEqualTo(12);
        assertThat(twelve.narrow(4095) & 0xFF).isEqualTo(255);
        assertThat(twelve.narrow(0) & 0xFF).isZero();
        assertThat(twelve.narrow(1606) & 0xFF).isEqualTo(100); // 1606 * 255 / 4095 = 100.0
        assertThat(twelve.narrow(2048) & 0xFF).isEqualTo(128); // 127.53
        assertThat(twelve.narrow(60000) & 0xFF).as("above the depth: white, not wrapped").isEqualTo(255);

        SignificantBits eight = new SignificantBits();
        eight.see(200);
        for (int v = 0; v < 256; v++) {
            assertThat(eight.narrow(v) & 0xFF).as("8-bit values kept in 16 bits read as they are").isEqualTo(v);
        }
        SignificantBits sixteen = new SignificantBits();
        sixteen.see(65535);
        for (int v = 0; v < 256; v++) {
            assertThat(sixteen.narrow(v * 257) & 0xFF).as("8-bit values scaled to 16 bits read back").isEqualTo(v);
        }
    }

    @Test
    void aSourcesDepthNeverFalls() {
        SignificantBits bits = new SignificantBits();
        assertThat(bits.see(3000)).isEqualTo(12);
        assertThat(bits.see(100)).as("a dark frame of a 12-bit sequence").isEqualTo(12);
        assertThat(bits.narrow(100) & 0xFF).isEqualTo(6);
        assertThat(bits.see(20000)).isEqualTo(16);
        assertThat(bits.see(4000)).isEqualTo(16);
        assertThat(bits.narrow(4000) & 0xFF).isEqualTo(16); // 4000 * 255 / 65535 = 15.6
    }
}
