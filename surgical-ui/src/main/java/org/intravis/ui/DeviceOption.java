package org.intravis.ui;

import picocli.CommandLine.Option;

/** {@code --device}, as the commands that run a model share it (a picocli mixin: one wording, one meaning). */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "DEVICE",
            description = "Inference device: cpu or cuda (default: the configuration's, else cpu).")
    String device;

    /** The configuration with its inference device set to the one given, if one was. */
    IntravisConfig applyTo(IntravisConfig cfg) {
        if (device != null) {
            cfg.inference.device = device;
        }
        return cfg;
    }

    /** The device given, else cpu (for a command without a configuration). */
    String orCpu() {
        return device != null ? device : "cpu";
    }
}
