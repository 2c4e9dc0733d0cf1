package org.intravis.ui.igtl;

import org.intravis.capture.testing.IgtlReferenceLibrary;
import org.intravis.ui.Application;
import org.intravis.ui.IntravisConfig;
import org.intravis.ui.ModuleSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The running application's OpenIGTLink server against a client of the reference library (compiled from
 * {@code src/test/cpp/igtl_count_client.cxx}), over a real socket: the default configuration (one synthetic 1280x720
 * 30 fps ultrasound stream, the bundled model on the CPU) with {@code openigtlink.port} set, as {@code intravis run
 * --igtl-port N} makes it. In 10 s the library must accept at least 50 IMAGEs and 50 TRANSFORMs and POINTs, refuse
 * none (it checks every CRC), and read the image as 1280x720 8-bit grey. Then the library's {@code ReceiveClient}
 * example reports images of the right size too.
 */
class IgtlReferenceClientTest {
    @TempDir
    Path dir;

    @Test
    void referenceClientReadsImagesTipsAndPointsFromTheDefaultStream() throws Exception {
        Path exe = ReferenceClient.executable(); // compiled before the clock starts
        IntravisConfig c = new IntravisConfig();
        c.server.host = "127.0.0.1";
        c.server.port = 0;
        c.dataDir = dir.toString();
        c.openigtlink.port = 0;
        try (Application app = Application.start(ModuleSettings.validate(c))) {
            int port = app.engine().igtl().orElseThrow().port();
            ReferenceClient.Result r = ReferenceClient.finish(ReferenceClient.start(exe, port, 10), 10);
            System.out.println("reference client, 10 s:\n" + r);

            assertThat(r.end()).as("%s", r).isEqualTo("time");
            assertThat(r.badTotal()).as("messages the reference library refused\n%s", r).isZero();
            assertThat(r.ok("IMAGE")).as("%s", r).isGreaterThanOrEqualTo(50);
            assertThat(r.ok("TRANSFORM")).as("%s", r).isGreaterThanOrEqualTo(50);
            assertThat(r.ok("POINT")).as("%s", r).isGreaterThanOrEqualTo(50);
            assertThat(r.line("IMAGE size")).as("%s", r)
                    .startsWith("IMAGE size 1280 720 1 components 1 scalar 3 ").endsWith("device us1_Image");
            assertThat(r.line("TRANSFORM device us1_Needle ")).as("%s", r).isNotNull();
            assertThat(r.line("POINT device us1_Tips n ")).as("%s", r).contains(" first Needle ");

            // and the library's own ReceiveClient example, as a user would try it first: 3 s of its report (its
            // transforms are counted, not required: in 3 s the phantom's needle may be out of the picture)
            Path receive = IgtlReferenceLibrary.compile(IgtlReferenceLibrary.example("Receiver/ReceiveClient.cxx"),
                    "ReceiveClient");
            Process p = new ProcessBuilder(receive.toString(), "127.0.0.1", String.valueOf(port))
                    .redirectErrorStream(true).start();
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes()));
                } catch (java.io.IOException e) {
                    out.append(e);
                }
            });
            reader.start();
            Thread.sleep(3000);
            p.destroy();
            reader.join(5000);
            String text = out.toString();
            long images = text.lines().filter(l -> l.equals("Receiving IMAGE data type.")).count();
            long transforms = text.lines().filter(l -> l.equals("Receiving TRANSFORM data type.")).count();
            System.out.println("ReceiveClient, 3 s: " + images + " IMAGE, " + transforms + " TRANSFORM");
            assertThat(images).as("ReceiveClient's IMAGE reports").isGreaterThanOrEqualTo(15);
            assertThat(text).contains("Dimensions            : (1280, 720, 1)").contains("Device Name           : us1_Image");
        }
    }
}
