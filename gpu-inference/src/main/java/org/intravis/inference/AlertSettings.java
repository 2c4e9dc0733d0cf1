package org.intravis.inference;

import org.intravis.pipeline.Annotations;

/**
 * When a tip near a risk zone raises an alert. Distances are compared in millimetres when the stream's pixel
 * spacing is known, else in pixels. A level is entered at or below its threshold and left only above threshold +
 * hysteresis, and not before it has been held for {@code holdMillis}: alerts do not flicker around a threshold.
 * Inside a zone is always critical. A trajectory (tip + velocity x look-ahead) that enters a zone raises at least
 * {@code trajectoryLevel}. A tip whose confidence is below {@code minTipConfidence} (what the overlay marks as low
 * confidence) raises no alert: its distances are still reported, but an alert must be one the user can trust.
 */
public record AlertSettings(double cautionMm, double warningMm, double criticalMm, double hysteresisMm,
                            double cautionPx, double warningPx, double criticalPx, double hysteresisPx,
                            long holdMillis, double lookAheadMillis, byte trajectoryLevel, double minTipConfidence) {
    /** By default a tip raises alerts exactly when the overlay does not mark it as low confidence. */
    public static final double DEFAULT_MIN_TIP_CONFIDENCE = Annotations.LOW_CONFIDENCE;

    /** Settings with the default minimum tip confidence. */
    public AlertSettings(double cautionMm, double warningMm, double criticalMm, double hysteresisMm,
                         double cautionPx, double warningPx, double criticalPx, double hysteresisPx,
                         long holdMillis, double lookAheadMillis, byte trajectoryLevel) {
        this(cautionMm, warningMm, criticalMm, hysteresisMm, cautionPx, warningPx, criticalPx, hysteresisPx,
                holdMillis, lookAheadMillis, trajectoryLevel, DEFAULT_MIN_TIP_CONFIDENCE);
    }

    public AlertSettings {
        if (!(cautionMm >= warningMm && warningMm >= criticalMm && criticalMm >= 0)
                || !(cautionPx >= warningPx && warningPx >= criticalPx && criticalPx >= 0)) {
            throw new IllegalArgumentException("alert thresholds must be caution >= warning >= critical >= 0");
        }
        if (hysteresisMm < 0 || hysteresisPx < 0 || holdMillis < 0 || lookAheadMillis < 0) {
            throw new IllegalArgumentException("hysteresis, hold time and look-ahead must not be negative");
        }
        if (trajectoryLevel < Annotations.ALERT_NONE || trajectoryLevel > Annotations.ALERT_CRITICAL) {
            throw new IllegalArgumentException("trajectoryLevel must be 0..3");
        }
        if (!(minTipConfidence >= 0 && minTipConfidence <= 1)) {
            throw new IllegalArgumentException("minTipConfidence must be 0..1");
        }
    }

    /** 10 / 5 / 2 mm (60 / 30 / 12 px), 1.5 mm (8 px) hysteresis, held 500 ms, 500 ms look-ahead raising WARNING. */
    public static AlertSettings defaults() {
        return new AlertSettings(10, 5, 2, 1.5, 60, 30, 12, 8, 500, 500, Annotations.ALERT_WARNING);
    }
}
