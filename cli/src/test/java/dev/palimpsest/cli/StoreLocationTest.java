package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The store URL of {@code --store} and {@code config.json}: what it names, what it refuses. */
class StoreLocationTest {

    @Test
    void filesOrAPostgresqlUrlWithItsSchemaAndParameters() {
        assertEquals(new StoreLocation.Files(), StoreLocation.parse("files", "--store"));
        StoreLocation.Postgres p = (StoreLocation.Postgres) StoreLocation.parse(
                "postgresql://agents@db.internal:5433/fleet?schema=mem&sslmode=verify-full",
                "--store");
        assertEquals("jdbc:postgresql://db.internal:5433/fleet", p.jdbcUrl());
        assertEquals("agents", p.user());
        assertEquals("mem", p.schema());
        assertEquals(Map.of("sslmode", "verify-full"), p.parameters());
        StoreLocation.Postgres v6 = (StoreLocation.Postgres) StoreLocation.parse(
                "postgresql://a%40b@[::1]/db", "--store");
        assertEquals("a@b", v6.user());
        assertEquals("jdbc:postgresql://[::1]/db", v6.jdbcUrl());
        assertEquals("", v6.schema());
    }

    @Test
    void aPasswordAnywhereInTheUrlIsRefusedWithoutBeingEchoed() {
        for (String url : new String[] {"postgresql://u:hunter2@h/db",
            "postgresql://u@h/db?password=hunter2", "postgresql://u@h/db?sslpassword=hunter2",
            "postgresql://u@h/db?PASSWORD=hunter2"}) {
            CliException e = assertThrows(CliException.class,
                    () -> StoreLocation.parse(url, "--store"));
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertTrue(e.getMessage().contains(Session.STORE_PASSWORD_VARIABLE), e.getMessage());
        }
    }

    @Test
    void whatIsNotAStoreIsRefusedByName() {
        String[][] bad = {
            {"sqlite://x", "must be 'files'"},
            {"postgresql://h/db", "names no user"},
            {"postgresql://u@/db", "names no"},
            {"postgresql://u@h", "names no database"},
            {"postgresql://u@h/a/b", "names no database"},
            {"postgresql://u@h/db#x", "fragment"},
            {"postgresql://u@h/db?a-b=1", "not a connection parameter"},
            {"postgresql://u@h/db?ssl=1&ssl=0", "given twice"},
            {"postgresql://u@h/db?x=%zz", "not a valid URL"},
            {"postgresql://u@h/db?x=%E2%82", "bad %-escape"},
            {"postgresql://u@h/db?user=v", "give the user"},
            {"postgresql://u h@x/db", "not a valid URL"},
        };
        for (String[] b : bad) {
            CliException e = assertThrows(CliException.class,
                    () -> StoreLocation.parse(b[0], "--store"), b[0]);
            assertEquals(ExitCode.USAGE, e.exitCode(), b[0]);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
    }
}
