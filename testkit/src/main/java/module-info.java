/**
 * Defines the test support shared by every module's tests: seeded generated cases that can be
 * replayed, and child JVMs that mirror the test JVM's module path, bounded in time and count.
 *
 * <p>Never shipped: the other modules depend on it in test scope only.
 */
module dev.palimpsest.testkit {
    exports dev.palimpsest.testkit;
}
