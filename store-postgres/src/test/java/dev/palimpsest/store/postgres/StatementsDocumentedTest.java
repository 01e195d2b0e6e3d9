package dev.palimpsest.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/postgres.md shows every statement the store runs, and nothing else in its {@code sql}
 * blocks: the blocks and the statements of {@link Sql} are matched both ways (whitespace aside,
 * so the page may lay them out for reading).
 */
class StatementsDocumentedTest {

    private static String normalized(String sql) {
        return sql.replaceAll("\\s+", "");
    }

    static List<String> statements() throws IllegalAccessException {
        List<String> out = new ArrayList<>();
        for (Field f : Sql.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || Modifier.isPrivate(f.getModifiers())
                    || f.getName().equals("DEFAULT_SCHEMA")) {
                continue;
            }
            f.setAccessible(true);
            Object value = f.get(null);
            if (value instanceof String s) {
                out.add(s);
            } else if (value instanceof List<?> list) {
                list.forEach(s -> out.add((String) s));
            }
        }
        return out;
    }

    private static List<String> sqlBlocks(String page) {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : page.split("\n", -1)) {
            if (block == null && line.equals("```sql")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    @Test
    void thePageShowsEveryStatementTheStoreRunsAndNoOther() throws Exception {
        Path page = Path.of("..", "docs", "postgres.md");
        assertTrue(Files.isRegularFile(page), "no " + page.toAbsolutePath());
        Set<String> documented = new TreeSet<>();
        for (String block : sqlBlocks(readString(page))) {
            String s = normalized(block);
            assertTrue(s.endsWith(";"), "a statement ends with ';' on the page: " + block);
            documented.add(s.substring(0, s.length() - 1));
        }
        Set<String> run = new TreeSet<>();
        for (String statement : statements()) {
            run.add(normalized(statement));
        }
        Set<String> missing = new TreeSet<>(run);
        missing.removeAll(documented);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(run);
        assertEquals(Set.of(), missing, "statements the store runs that the page does not show");
        assertEquals(Set.of(), extra, "sql blocks of the page the store does not run");
    }

    private static String readString(Path p) throws IOException {
        return Files.readString(p);
    }
}
