package org.intravis.inference;

import org.intravis.pipeline.Annotations;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A segmented zone keeps its id while it is in view, whatever comes and goes around it. */
class ZoneIdentitiesTest {
    private final ZoneIdentities ids = new ZoneIdentities();

    /** A frame's zones as the decoder writes them: ids 1, 2, 3... in scan order; each zone a box x0,y0,x1,y1. */
    private static Annotations frame(Object... classAndBoxes) {
        Annotations a = new Annotations();
        int id = 1;
        for (int i = 0; i < classAndBoxes.length; i += 2) {
            byte cls = (Byte) classAndBoxes[i];
            float[] b = (float[]) classAndBoxes[i + 1];
            a.beginZone(id++, cls, false, 1f, (b[2] - b[0]) * (b[3] - b[1]));
            a.addZonePoint(b[0], b[1]);
            a.addZonePoint(b[2], b[1]);
            a.addZonePoint(b[2], b[3]);
            a.addZonePoint(b[0], b[3]);
        }
        return a;
    }

    private static float[] box(float x0, float y0, float x1, float y1) {
        return new float[]{x0, y0, x1, y1};
    }

    @Test
    void zonesKeepTheirIdsWhenAnotherAppearsBeforeThemOrOneIsMissedForAFrame() {
        byte v = Annotations.ZONE_VESSEL;
        byte n = Annotations.ZONE_NERVE;
        Annotations f1 = frame(v, box(100, 200, 140, 240), v, box(300, 200, 340, 240), n, box(200, 100, 230, 130));
        ids.assign(f1);
        int left = f1.zoneId[0];
        int right = f1.zoneId[1];
        int nerve = f1.zoneId[2];
        assertThat(new int[]{left, right, nerve}).doesNotHaveDuplicates();

        // a new vessel above them comes first in scan order, and the others have moved a little
        Annotations f2 = frame(v, box(50, 20, 80, 50), v, box(104, 203, 144, 243), v, box(296, 198, 336, 238),
                n, box(202, 101, 232, 131));
        ids.assign(f2);
        assertThat(f2.zoneId[1]).isEqualTo(left);
        assertThat(f2.zoneId[2]).isEqualTo(right);
        assertThat(f2.zoneId[3]).isEqualTo(nerve);
        int newcomer = f2.zoneId[0];
        assertThat(newcomer).isNotIn(left, right, nerve);

        // the left vessel is missed for a frame and comes back: the same vessel, the same id
        Annotations f3 = frame(v, box(50, 20, 80, 50), v, box(296, 198, 336, 238));
        ids.assign(f3);
        assertThat(f3.zoneId).startsWith(newcomer, right);
        Annotations f4 = frame(v, box(50, 20, 80, 50), v, box(106, 204, 146, 244), v, box(296, 198, 336, 238));
        ids.assign(f4);
        assertThat(f4.zoneId).startsWith(newcomer, left, right);
    }

    @Test
    void aZoneOfAnotherClassOrFarAwayIsANewOneAndDrawnZonesAreLeftAlone() {
        Annotations f1 = frame(Annotations.ZONE_VESSEL, box(100, 100, 150, 150));
        ids.assign(f1);
        int vessel = f1.zoneId[0];
        // a nerve where the vessel was is not the vessel; a vessel across the picture is another vessel
        Annotations f2 = frame(Annotations.ZONE_NERVE, box(100, 100, 150, 150), Annotations.ZONE_VESSEL, box(400, 300, 450, 350));
        f2.beginZone(7, Annotations.ZONE_NOGO, true, 1f, 100);
        f2.addZonePoint(0, 0);
        f2.addZonePoint(10, 0);
        f2.addZonePoint(10, 10);
        ids.assign(f2);
        assertThat(f2.zoneId[0]).isNotEqualTo(vessel);
        assertThat(f2.zoneId[1]).isNotIn(vessel, f2.zoneId[0]);
        assertThat(f2.zoneId[2]).as("the surgeon's zone keeps its id").isEqualTo(7);
        // out of view for longer than the memory: back as a new zone
        for (int i = 0; i < ZoneIdentities.MEMORY + 1; i++) {
            ids.assign(frame());
        }
        Annotations back = frame(Annotations.ZONE_VESSEL, box(100, 100, 150, 150));
        ids.assign(back);
        assertThat(back.zoneId[0]).isNotEqualTo(vessel);
    }
}
