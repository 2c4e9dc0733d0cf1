package org.intravis.inference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZoneStoreTest {
    private static final double[][] TRIANGLE = {{10, 10}, {110, 10}, {60, 90}};

    @Test
    void zonesSurviveARestart(@TempDir Path dir) {
        ZoneStore store = new ZoneStore(dir);
        NoGoZone a = store.add("us1", "brachial plexus", TRIANGLE);
        NoGoZone b = store.add("us1", "", new double[][] {{0, 0}, {5, 0}, {5, 5}, {0, 5}});
        store.add("fluoro", "aorta", TRIANGLE);
        assertThat(store.remove("us1", b.id())).isTrue();
        assertThat(Files.exists(dir.resolve("zones.json"))).isTrue();

        ZoneStore reopened = new ZoneStore(dir);
        assertThat(reopened.list("us1")).containsExactly(a);
        assertThat(reopened.list("fluoro")).hasSize(1);
        assertThat(reopened.list("fluoro").get(0).label()).isEqualTo("aorta");
        NoGoZone c = reopened.add("us1", "new", TRIANGLE);
        assertThat(c.id()).isGreaterThan(Math.max(a.id(), b.id())); // ids are never reused
        assertThat(reopened.clear("us1")).isEqualTo(2);
        assertThat(new ZoneStore(dir).list("us1")).isEmpty();
    }

    @Test
    void theWorkerSeesChangesThroughItsHolderWithoutLocks() {
        ZoneStore store = new ZoneStore(null);
        AtomicReference<ZoneStore.Snapshot> holder = store.holder("us1"); // fetched once, before any zone exists
        ZoneStore.Snapshot before = holder.get();
        assertThat(before.count()).isZero();
        NoGoZone z = store.add("us1", "x", TRIANGLE);
        ZoneStore.Snapshot after = holder.get();
        assertThat(after).isNotSameAs(before);
        assertThat(before.count()).isZero(); // a snapshot never changes
        assertThat(after.count()).isEqualTo(1);
        assertThat(after.id(0)).isEqualTo(z.id());
        assertThat(after.xy(0)).containsExactly(10f, 10f, 110f, 10f, 60f, 90f);
    }

    @Test
    void replacingAStreamsListKeepsThePagesIdsAndIsAllOrNothing(@TempDir Path dir) {
        ZoneStore store = new ZoneStore(dir);
        store.replace("us1", java.util.List.of(new NoGoZone(5, "us1", "a", TRIANGLE, 0), new NoGoZone(9, "us1", "b", TRIANGLE, 0)));
        assertThat(store.list("us1")).extracting(NoGoZone::id).containsExactly(5, 9);
        assertThatThrownBy(() -> store.replace("us1", java.util.List.of(new NoGoZone(1, "us1", "", TRIANGLE, 0),
                new NoGoZone(1, "us1", "", TRIANGLE, 0)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unique");
        assertThatThrownBy(() -> store.replace("us1", java.util.List.of(new NoGoZone(0, "us1", "", TRIANGLE, 0))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list("us1")).extracting(NoGoZone::id).containsExactly(5, 9);
        assertThat(store.add("us1", "c", TRIANGLE).id()).isEqualTo(10); // server-assigned ids never collide
        assertThat(new ZoneStore(dir).list("us1")).extracting(NoGoZone::id).containsExactly(5, 9, 10);
    }

    @Test
    void badPolygonsAreRefusedClearly() {
        ZoneStore store = new ZoneStore(null);
        assertThatThrownBy(() -> store.add("us1", "", new double[][] {{0, 0}, {1, 1}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3 points, got 2");
        assertThatThrownBy(() -> store.add("us1", "", new double[][] {{0, 0}, {1, Double.NaN}, {2, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
        assertThatThrownBy(() -> store.add("us1", "", new double[][] {{0, 0}, {1}, {2, 2}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[x, y]");
        assertThat(store.list("us1")).isEmpty();
    }

    @Test
    void anUnreadableFileIsSetAsideNotLost(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("zones.json"), "{ this is not json");
        ZoneStore store = new ZoneStore(dir);
        assertThat(store.all()).isEmpty();
        try (var files = Files.list(dir)) {
            Path aside = files.filter(p -> p.getFileName().toString().startsWith("zones.json.unreadable-")).findFirst().orElseThrow();
            assertThat(Files.readString(aside)).isEqualTo("{ this is not json");
        }
        store.add("us1", "", TRIANGLE);
        assertThat(new ZoneStore(dir).list("us1")).hasSize(1);
    }
}
