package dev.palimpsest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's checker must see what it is there to see, or its zeros mean nothing. */
class ReliabilityDriverTest {

    private static String run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = ReliabilityDriver.run(args, out);
        return code + "\n" + bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void engineRunsVerifyCleanAndAFalseAcknowledgementIsALostRound(@TempDir Path dir)
            throws Exception {
        String root = dir.resolve("root").toString();
        String acks = run("append", "--root", root, "--writer", "engine", "--tag", "t",
                "--count", "12", "a", "b");
        assertTrue(acks.startsWith("0\n"), acks);
        Path ackFile = Files.writeString(dir.resolve("acks.log"), acks.substring(2));

        String clean = run("verify", "--root", root, "--writer", "engine", "--exact", "--final",
                ackFile.toString());
        assertTrue(clean.startsWith("0\n"), clean);
        assertTrue(clean.contains("acked=12 unreadable=0 lost=0 duplicated=0 gaps=0"), clean);

        Path forged = Files.writeString(dir.resolve("forged.log"), "ACK\ta\t3\tnever written\n");
        String lost = run("verify", "--root", root, "--writer", "engine", ackFile.toString(),
                forged.toString());
        assertTrue(lost.startsWith("1\n"), lost);
        assertTrue(lost.contains(" lost=1 "), lost);
    }

    @Test
    void aTruncatedPlainFileIsUnreadable(@TempDir Path dir) throws Exception {
        String root = dir.resolve("root").toString();
        String acks = run("append", "--root", root, "--writer", "in-place", "--tag", "t",
                "--count", "5", "x");
        Path ackFile = Files.writeString(dir.resolve("acks.log"), acks.substring(2));
        assertTrue(run("verify", "--root", root, "--writer", "in-place", ackFile.toString())
                .startsWith("0\n"));

        Path file = dir.resolve("root/plain/x.txt");
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        String torn = run("verify", "--root", root, "--writer", "in-place", ackFile.toString());
        assertTrue(torn.startsWith("1\n"), torn);
        assertTrue(torn.contains(" unreadable=1 "), torn);
    }

    @Test
    void anAcknowledgedRoundStoredWithAnotherTextIsLost(@TempDir Path dir) throws Exception {
        String root = dir.resolve("root").toString();
        String acks = run("append", "--root", root, "--writer", "no-fsync", "--tag", "t",
                "--count", "3", "y");
        assertEquals(3, acks.lines().filter(l -> l.startsWith("ACK")).count(), acks);
        Path ackFile = Files.writeString(dir.resolve("acks.log"),
                acks.substring(2).replace("\t2\tt:1", "\t2\tsomething else"));
        String lost = run("verify", "--root", root, "--writer", "no-fsync", ackFile.toString());
        assertTrue(lost.startsWith("1\n"), lost);
        assertTrue(lost.contains(" lost=1 "), lost);
    }
}
