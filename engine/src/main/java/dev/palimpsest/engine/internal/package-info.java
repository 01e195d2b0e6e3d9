/**
 * The engine's internals: bounded summarizer calls and the de-duplicating transcript reader. Not
 * exported.
 */
package dev.palimpsest.engine.internal;
