package io.vserver.host.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;

/**
 * Reads the memory figures of the density benchmark: a process's proportional set size, the
 * machine's kernel counters, the memory counters of a cgroup and the JVM's heap.
 */
final class HostMemory {

    /** The fields of /proc/meminfo that the benchmark records, in KiB. */
    private static final String[] MEMINFO_FIELDS = {"MemAvailable", "Slab", "SUnreclaim", "KernelStack",
        "PageTables"};

    private HostMemory() {
    }

    /** Returns the PSS of process {@code pid} in KiB from /proc/PID/smaps_rollup, or empty when it has ended. */
    static Optional<Long> pssKiB(long pid) throws IOException {
        return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss");
    }

    /** Returns the parent pid of process {@code pid} from /proc/PID/status, or empty when it has ended. */
    static Optional<Long> parentPid(long pid) throws IOException {
        return field(Path.of("/proc", Long.toString(pid), "status"), "PPid");
    }

    /** Returns the /proc/meminfo fields the benchmark records, in KiB, in a fixed order. */
    static Map<String, Long> meminfo() throws IOException {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String name : MEMINFO_FIELDS) {
            values.put(name, field(Path.of("/proc/meminfo"), name).orElseThrow(
                    () -> new IOException("/proc/meminfo has no field " + name)));
        }
        return values;
    }

    /**
     * Returns the kernel memory and the whole memory charged to cgroup {@code path} and its
     * children, in bytes, as {@code kernel} and {@code usage}. On cgroup v1 these are
     * {@code memory.kmem.usage_in_bytes} and {@code memory.usage_in_bytes}; on v2 the
     * {@code kernel} line of {@code memory.stat} and {@code memory.current}. Returns an empty
     * map when no hierarchy has the memory controller or the group does not exist.
     */
    static Map<String, Long> cgroupMemory(String path) throws IOException {
        Map<String, Long> values = new LinkedHashMap<>();
        Optional<CgroupHierarchy> memory = CgroupHierarchies.discover().forController("memory");
        if (memory.isEmpty()) {
            return values;
        }
        Path directory = memory.get().mountPoint().resolve(path);
        if (!Files.isDirectory(directory)) {
            return values;
        }
        if (memory.get().version() == CgroupVersion.V1) {
            readNumber(directory.resolve("memory.kmem.usage_in_bytes")).ifPresent(v -> values.put("kernel", v));
            readNumber(directory.resolve("memory.usage_in_bytes")).ifPresent(v -> values.put("usage", v));
        } else {
            statField(directory.resolve("memory.stat"), "kernel").ifPresent(v -> values.put("kernel", v));
            readNumber(directory.resolve("memory.current")).ifPresent(v -> values.put("usage", v));
        }
        return values;
    }

    /** Returns the bytes of Java heap in use after two full collections. */
    static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Returns the number in a {@code Name: value [kB]} line of a /proc file, or empty when the file is gone. */
    private static Optional<Long> field(Path file, String name) throws IOException {
        String prefix = name + ":";
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(prefix)) {
                    return Optional.of(Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[0]));
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // A process that ends while its file is read makes the read fail with ESRCH.
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            throw e;
        }
        throw new IOException(file + " has no line " + prefix);
    }

    private static Optional<Long> statField(Path file, String name) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(file)) {
            String[] words = line.split(" ");
            if (words.length == 2 && words[0].equals(name)) {
                return Optional.of(Long.parseLong(words[1]));
            }
        }
        return Optional.empty();
    }

    private static Optional<Long> readNumber(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(Files.readString(file).trim()));
    }
}
