/**
 * Benchmarks of the store and engine against their baselines, and the drivers of the
 * reliability harness. Not shipped: this code runs from {@code bench/*.sh} only.
 */
package dev.palimpsest.bench;
