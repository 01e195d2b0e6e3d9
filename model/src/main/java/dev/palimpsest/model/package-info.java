/**
 * The conversation model v2. A {@link dev.palimpsest.model.ConversationState} holds a compressed
 * context, the most recent {@link dev.palimpsest.model.Round}s verbatim, the pinned system message
 * and its {@link dev.palimpsest.model.Counters}; a round is one user turn with every
 * {@link dev.palimpsest.model.StoredMessage} the agent produced in it.
 *
 * <p>Every type is an immutable record whose compact constructor rejects values that can never be
 * valid with a {@link dev.palimpsest.model.PalimpsestException} of kind
 * {@link dev.palimpsest.model.FailureKind#INVALID_INPUT} naming the offending value.
 */
package dev.palimpsest.model;
