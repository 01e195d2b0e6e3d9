package dev.palimpsest.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the version recorded in the launcher's module descriptor. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getModule().getDescriptor() == null ? "unknown"
                : VersionProvider.class.getModule().getDescriptor().rawVersion().orElse("unknown");
        return new String[] {"palimpsest " + version,
                "Java " + System.getProperty("java.version") + " ("
                        + System.getProperty("java.vm.name") + ")"};
    }
}
