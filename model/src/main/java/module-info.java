/**
 * Defines the conversation model of Palimpsest, version 2: messages (system, user, assistant with
 * tool calls, tool results), rounds, counters, the state of a conversation, and the one failure
 * type every module throws, {@link dev.palimpsest.model.PalimpsestException}, with its kind.
 *
 * <p>The model has no third-party dependency and no serialization annotations: formats live in
 * their own modules, so the model can be used and tested without Jackson.
 */
module dev.palimpsest.model {
    exports dev.palimpsest.model;
}
