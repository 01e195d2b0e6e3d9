/**
 * The documentation check. {@link dev.palimpsest.doccheck.MarkdownSnippets} extracts the fenced
 * code blocks of a Markdown file with the marker before each, and
 * {@link dev.palimpsest.doccheck.SnippetChecker} checks each block by its language: {@code java}
 * compiles, {@code sh} runs (commands of the {@code palimpsest} launcher) or is marked
 * {@code not-run}, {@code json} and {@code xml} parse, {@code text} holds no command. The
 * convention is documented for the project's engineers in {@code docs/testing.md}.
 */
package dev.palimpsest.doccheck;
