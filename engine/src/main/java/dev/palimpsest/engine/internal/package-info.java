/** Helpers of the engine, not exported. */
package dev.palimpsest.engine.internal;
