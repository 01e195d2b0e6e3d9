/**
 * The {@code palimpsest} launcher: one class per command ({@code AppendCommand},
 * {@code ShowCommand}, ...), the {@link dev.palimpsest.cli.Launcher} that parses a command line
 * with picocli and maps failures to {@link dev.palimpsest.cli.ExitCode}s, and the small pieces
 * they share (JSON output, {@code config.json}, UTF-8 handling). Nothing here is exported: the
 * launcher is an application, not an API.
 */
package dev.palimpsest.cli;
