package dev.palimpsest.cli;

/** The version lines of {@code --version}, from the launcher's module descriptor. */
final class VersionProvider {
    private VersionProvider() {
    }

    static String[] version() {
        Module module = VersionProvider.class.getModule();
        String version = module.getDescriptor() == null ? "unknown"
                : module.getDescriptor().rawVersion().orElse("unknown");
        return new String[] {"palimpsest " + version,
                "Java " + System.getProperty("java.version") + " ("
                        + System.getProperty("java.vm.name") + ")"};
    }
}
