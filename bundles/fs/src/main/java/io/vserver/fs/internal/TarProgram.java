package io.vserver.fs.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs GNU tar to list and extract archives. Output goes to temporary files rather than
 * pipes, so a large listing cannot block tar.
 */
class TarProgram {

    /** How long listing an archive may take. */
    static final Duration LIST_TIMEOUT = Duration.ofMinutes(5);

    /** How long unpacking an archive may take. */
    static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(30);

    private final String program;

    /** @param program the tar program, {@code tar} to search the PATH */
    TarProgram(String program) {
        this.program = program;
    }

    /**
     * Returns the member names of {@code archive}, one per entry, with unprintable characters
     * and backslashes escaped as C escapes. With {@code verbose}, each line also has the type,
     * mode, owner, size and link target, as {@code tar -tv} prints them.
     */
    List<String> list(Path archive, boolean verbose) throws IOException {
        List<String> command = new ArrayList<>(List.of(program, "--list", "--quoting-style=escape",
                "--file=" + archive));
        if (verbose) {
            command.add("--verbose");
            command.add("--numeric-owner");
        }
        String output = run(command, LIST_TIMEOUT, "list " + archive);
        List<String> lines = new ArrayList<>(List.of(output.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    /**
     * Extracts {@code archive} into {@code directory}, keeping numeric owners and modes and
     * leaving out the members named in {@code excludedNames}. tar reads the archive from a
     * pipe that this method feeds, so that {@code progress} learns how far it got.
     */
    void extract(Path archive, Path directory, List<String> excludedNames, UnpackProgress progress)
            throws IOException {
        Path excludeFile = Files.createTempFile(directory.getParent(), ".exclude-", ".txt");
        try {
            Files.write(excludeFile, excludedNames, StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(program, "--extract", "--file=-",
                    "--directory=" + directory, "--numeric-owner", "--same-owner", "--same-permissions",
                    "--no-wildcards", "--exclude-from=" + excludeFile));
            compressionOption(archive).ifPresent(command::add);
            run(command, archive, progress, EXTRACT_TIMEOUT, "extract " + archive + " into " + directory);
        } finally {
            Files.deleteIfExists(excludeFile);
        }
    }

    /** Returns tar's decompression option for the archive's suffix, since tar cannot see the file name on a pipe. */
    static Optional<String> compressionOption(Path archive) {
        String name = archive.getFileName().toString();
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return Optional.of("--gzip");
        }
        if (name.endsWith(".tar.xz") || name.endsWith(".txz")) {
            return Optional.of("--xz");
        }
        return Optional.empty();
    }

    private static String run(List<String> command, Duration timeout, String action) throws IOException {
        return run(command, null, null, timeout, action);
    }

    /**
     * Runs tar with {@code input} (or /dev/null when null) on its standard input and returns
     * its standard output.
     */
    private static String run(List<String> command, Path input, UnpackProgress progress, Duration timeout,
            String action) throws IOException {
        Path output = Files.createTempFile("vserver-tar-", ".out");
        Path errors = Files.createTempFile("vserver-tar-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile());
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            // The C locale keeps tar's listing format and messages fixed.
            Map<String, String> environment = builder.environment();
            environment.put("LC_ALL", "C");
            environment.put("TZ", "UTC");
            Process process = builder.start();
            if (input != null) {
                feed(input, process, progress);
            }
            if (!waitFor(process, timeout)) {
                process.destroyForcibly();
                throw new IOException("tar did not " + action + " within " + timeout.toMinutes() + " minutes");
            }
            if (process.exitValue() != 0) {
                String message = Files.readString(errors, StandardCharsets.UTF_8).strip();
                throw new IOException("tar failed to " + action + " (exit status " + process.exitValue() + "): "
                        + message);
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    /**
     * Copies {@code input} to the process's standard input, reporting the bytes copied. A
     * tar that exits early closes the pipe, and its exit status then explains why.
     */
    private static void feed(Path input, Process process, UnpackProgress progress) throws IOException {
        long total = Files.size(input);
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        try (InputStream in = Files.newInputStream(input); OutputStream out = process.getOutputStream()) {
            int count;
            while ((count = in.read(buffer)) > 0) {
                out.write(buffer, 0, count);
                copied += count;
                progress.update(copied, total);
            }
        } catch (IOException e) {
            if (process.isAlive()) {
                throw e;
            }
            // tar ended before it read everything; run() reports its exit status.
        }
    }

    private static boolean waitFor(Process process, Duration timeout) throws IOException {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for tar", e);
        }
    }
}
