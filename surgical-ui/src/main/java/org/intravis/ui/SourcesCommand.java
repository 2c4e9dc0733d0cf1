package org.intravis.ui;

import org.intravis.capture.FrameSources;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code intravis sources}: lists every source URI form with its options. */
@Command(name = "sources", description = "List the source URIs intravis understands.")
final class SourcesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        FrameSources.usage().forEach(System.out::println);
        return 0;
    }
}
