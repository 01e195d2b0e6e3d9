/** Helpers of the engine, not exported. */
package dev.palimpsest.engine.v2.internal;
