/**
 * Defines the test support shared by every module's tests: seeded generated cases that can be
 * replayed, child JVMs that mirror the test JVM's module path, bounded in time and count,
 * and snapshots of a directory tree to prove that nothing in it changed.
 *
 * <p>Never shipped: the other modules depend on it in test scope only.
 */
module dev.palimpsest.testkit {
    exports dev.palimpsest.testkit;
}
