/**
 * Test support: {@link dev.palimpsest.testkit.Seeds} for replayable generated cases, and
 * {@link dev.palimpsest.testkit.ChildJvms} / {@link dev.palimpsest.testkit.ChildJvm} for crash
 * and multi-process tests, and {@link dev.palimpsest.testkit.TreeSnapshot} to prove that a
 * directory tree did not change.
 */
package dev.palimpsest.testkit;
