package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor bound: an eighth of the limit on open files, clamped, or the property's. */
class DescriptorBudgetTest {
    @TempDir
    Path dir;

    private Path limits(String openFiles) throws IOException {
        Path file = dir.resolve("limits");
        Files.writeString(file, String.join("\n",
                "Limit                     Soft Limit           Hard Limit           Units",
                "Max cpu time              unlimited            unlimited            seconds",
                openFiles,
                "Max locked memory         8388608              8388608              bytes", ""));
        return file;
    }

    @Test
    void anEighthOfTheSoftLimitWithinItsBounds() throws IOException {
        assertEquals(2500, DescriptorBudget.perKind(null, limits(
                "Max open files            20000                20000                files")));
        assertEquals(DescriptorBudget.MIN, DescriptorBudget.perKind(null, limits(
                "Max open files            256                  4096                 files")));
        assertEquals(DescriptorBudget.MAX, DescriptorBudget.perKind(null, limits(
                "Max open files            1048576              1048576              files")));
        assertEquals(DescriptorBudget.MAX, DescriptorBudget.perKind(null, limits(
                "Max open files            unlimited            unlimited            files")));
        assertEquals(2500, DescriptorBudget.perKind(null, limits(
                "Max open files\t20000\t40000\tfiles")), "the soft limit, before any blank");
    }

    @Test
    void theMinimumWhereTheLimitCannotBeRead() throws IOException {
        assertEquals(DescriptorBudget.MIN, DescriptorBudget.perKind(null, dir.resolve("none")));
        assertEquals(DescriptorBudget.MIN, DescriptorBudget.perKind(null, limits(
                "Max processes             63724                63724                processes")));
        assertEquals(DescriptorBudget.MIN, DescriptorBudget.perKind(null, limits(
                "Max open files            many                 many                 files")));
    }

    @Test
    void thePropertyDecidesWhenItIsAPositiveInteger() throws IOException {
        Path limits = limits("Max open files            20000                20000                files");
        assertEquals(7, DescriptorBudget.perKind(" 7 ", limits));
        assertEquals(2500, DescriptorBudget.perKind("0", limits), "ignored, with a warning");
        assertEquals(2500, DescriptorBudget.perKind("lots", limits), "ignored, with a warning");
    }

    @Test
    void thisTestRunSetsThePropertyToKeepItsConversationCountsSmall() {
        assertEquals(256, DescriptorBudget.PER_KIND);
    }
}
