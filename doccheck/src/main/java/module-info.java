/**
 * Defines the documentation check: every fenced code block of the project's Markdown files is
 * compiled, run against the runtime image, parsed, or explicitly marked as not runnable in the
 * build, and a block that fits none of these fails.
 *
 * <p>Never shipped: {@code DocumentationIT} in this module's tests runs it in {@code verify}.
 */
module dev.palimpsest.doccheck {
    requires java.compiler; // compiles ```java blocks with javax.tools
    requires java.xml; // parses ```xml blocks
    requires com.fasterxml.jackson.core; // parses ```json blocks, strictly

    // Exports nothing: only its own tests (patched into the module) use it.
}
