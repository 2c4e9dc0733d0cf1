package org.intravis.pipeline;

import org.intravis.pipeline.testing.GrowthReport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The endurance reports' arithmetic: the fitted growth and which samples it reads. */
class GrowthReportTest {
    @Test
    void theSlopeOfPointsOnALineIsItsSlopeAndNoiseAroundItAveragesOut() {
        assertThat(GrowthReport.slope(List.of(new double[] {0, 1}, new double[] {1, 3}, new double[] {2, 5})))
                .isCloseTo(2, within(1e-12));
        assertThat(GrowthReport.slope(List.of(new double[] {0, 1}, new double[] {1, 2}, new double[] {2, 1},
                new double[] {3, 2}))).isCloseTo(0.2, within(1e-12));
        assertThat(GrowthReport.slope(List.of(new double[] {4, 1}, new double[] {4, 9}))).as("one x").isZero();
    }

    @Test
    void growthPerHourIsFittedAfterTheSettlingTimeOnly() throws Exception {
        List<Map<String, Double>> samples = new ArrayList<>();
        for (int m = 0; m <= 10; m++) {
            Map<String, Double> s = new LinkedHashMap<>();
            s.put("minute", (double) m);
            s.put("rss_mb", m < 5 ? 100.0 * m : 500 + 0.5 * (m - 5)); // a steep start, then half a MB a minute
            samples.add(s);
        }
        String md = GrowthReport.markdown("t", "a", samples, 5);
        assertThat(md).contains("| rss_mb | 500.0 | 502.5 | 500.0 | 502.5 | 30.0 |");
        assertThat(md).contains("| 10.0 | 502.5 |");
        Map<String, Double> me = new LinkedHashMap<>();
        GrowthReport.sampleThisProcess(me);
        assertThat(me.get("rss_mb")).isPositive();
        assertThat(me.get("threads")).isPositive();
        assertThat(me.get("open_files")).isPositive();
    }
}
