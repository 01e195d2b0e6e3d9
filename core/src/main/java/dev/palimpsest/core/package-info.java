/**
 * The conversation model: a {@link dev.palimpsest.core.Conversation} holds a compressed context,
 * the most recent {@link dev.palimpsest.core.Round}s verbatim, and its
 * {@link dev.palimpsest.core.Counters}.
 *
 * <p>Every type is an immutable record whose compact constructor rejects values that can never be
 * valid with an {@link dev.palimpsest.core.InvalidModelException} naming the offending value.
 */
package dev.palimpsest.core;
