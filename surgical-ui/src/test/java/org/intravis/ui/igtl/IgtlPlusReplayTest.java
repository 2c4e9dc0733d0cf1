package org.intravis.ui.igtl;

import org.intravis.ui.Application;
import org.intravis.ui.IntravisConfig;
import org.intravis.ui.ModuleSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real ultrasound through the application to the reference library: the committed cut of PLUS's BoneUltrasound_L14
 * sequence (5 frames of 820x616, about 11.6 frames/s) replayed by the {@code plus:} source, looping, and sent on by the
 * OpenIGTLink server to a client of the reference library, which must accept every IMAGE, read 820x616 8-bit grey at
 * the given 0.2 mm spacing, and see exactly the sequence's five pictures (their CRC-32s, as
 * {@code PlusSequenceSourceTest} knows them from Python's zlib).
 */
class IgtlPlusReplayTest {
    private static final Set<String> FRAME_CRCS = Set.of("84ffa292", "f20ccf8", "a04ccf2a", "6feb5ed1", "da6fde13");

    @TempDir
    Path dir;

    @Test
    void plusSequenceIsSentOnToTheReferenceLibrary() throws Exception {
        Path sequence = Path.of("../capture/src/test/resources/plus/BoneUltrasound_L14_first5.igs.mha").toAbsolutePath();
        assertThat(sequence).exists();
        Path exe = ReferenceClient.executable();
        IntravisConfig c = new IntravisConfig();
        c.server.host = "127.0.0.1";
        c.server.port = 0;
        c.dataDir = dir.toString();
        c.inference.enabled = false;
        IntravisConfig.Stream s = new IntravisConfig.Stream();
        s.id = "bone";
        s.source = "plus:" + sequence + "?loop=true&pixelSpacingMm=0.2";
        c.streams = List.of(s);
        c.openigtlink.port = 0;
        try (Application app = Application.start(ModuleSettings.validate(c))) {
            int port = app.engine().igtl().orElseThrow().port();
            ReferenceClient.Result r = ReferenceClient.finish(ReferenceClient.start(exe, port, 4), 4);
            System.out.println("reference client, PLUS replay, 4 s:\n" + r);

            assertThat(r.badTotal()).as("%s", r).isZero();
            assertThat(r.ok("IMAGE")).as("about 11.6 images/s for 4 s\n%s", r).isBetween(30L, 60L);
            assertThat(r.line("IMAGE size")).as("%s", r)
                    .startsWith("IMAGE size 820 616 1 components 1 scalar 3 spacing 0.2 0.2 ").endsWith("device bone_Image");
            Set<String> crcs = r.lines().stream().filter(l -> l.startsWith("IMAGECRC "))
                    .map(l -> l.substring(9).trim()).collect(Collectors.toSet());
            assertThat(crcs).as("the pictures that arrived").isEqualTo(FRAME_CRCS);
            assertThat(r.ok("TRANSFORM") + r.ok("POINT")).as("no model, no tips").isZero();
        }
    }
}
