package org.intravis.inference.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** The evaluation report's figures: percentiles as numpy computes them, and NaN (nothing to measure) written as null. */
final class ReportNumbers {
    private ReportNumbers() {
    }

    /** Linear interpolation between order statistics (numpy's default); NaN for no values. */
    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** Median, 90th percentile and count of {@code errors}. */
    static void putErrors(ObjectNode err, List<Double> errors) {
        double[] sorted = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        putNumber(err, "median", percentile(sorted, 0.5));
        putNumber(err, "p90", percentile(sorted, 0.9));
        err.put("frames", sorted.length);
    }

    /** How many of {@code errors} are at most {@code bound}. */
    static int atMost(List<Double> errors, double bound) {
        return (int) errors.stream().filter(e -> e <= bound).count();
    }

    static void putMean(ObjectNode n, String field, double sum, double count) {
        putNumber(n, field, count == 0 ? Double.NaN : sum / count);
    }

    static void putNumber(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, v);
        }
    }
}
