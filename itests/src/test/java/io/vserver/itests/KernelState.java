package io.vserver.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.CgroupMembership;
import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.Namespace;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStat;

/**
 * Reads the kernel state that tests assert on: the machine's mount table, cgroup directories
 * and processes, from the host's /proc and cgroup file systems.
 */
final class KernelState {

    private static final ProcFs PROC = ProcFs.system();

    private KernelState() {
    }

    /** Returns the mount points of the host's mount namespace that lie under {@code directory}. */
    static List<String> mountsUnder(Path directory) {
        List<String> found = new ArrayList<>();
        try {
            for (MountEntry mount : PROC.mounts(1)) {
                if (Path.of(mount.mountPoint()).startsWith(directory)) {
                    found.add(mount.mountPoint());
                }
            }
        } catch (SyscallException e) {
            throw new IllegalStateException("failed to read the mount table: " + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Returns the cgroup directories named {@code relativePath} that exist in any hierarchy,
     * for example {@code vserver-test-1a2b/web1}.
     */
    static List<Path> cgroupDirectories(String relativePath) {
        List<Path> found = new ArrayList<>();
        for (CgroupHierarchy hierarchy : hierarchies().all()) {
            Path directory = hierarchy.mountPoint().resolve(relativePath);
            if (Files.isDirectory(directory)) {
                found.add(directory);
            }
        }
        return found;
    }

    /** Returns the sub-cgroups directly under {@code relativePath}, in every hierarchy. */
    static List<Path> cgroupChildren(String relativePath) {
        List<Path> children = new ArrayList<>();
        for (Path directory : cgroupDirectories(relativePath)) {
            try (Stream<Path> entries = Files.list(directory)) {
                entries.filter(Files::isDirectory).forEach(children::add);
            } catch (NoSuchFileException e) {
                // Removed while listing.
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return children;
    }

    /** Removes the empty cgroup directories named {@code relativePath}. Callers pass only the tests' own parents. */
    static void removeEmptyCgroups(String relativePath) {
        for (Path directory : cgroupDirectories(relativePath)) {
            try {
                Files.delete(directory);
            } catch (IOException e) {
                throw new AssertionError("failed to remove the test cgroup " + directory + ": " + e, e);
            }
        }
    }

    /**
     * Removes the chbind pins of a cgroup parent, {@code /sys/fs/bpf/PARENT}, which detaches
     * the programs that the network element attached to it.
     */
    static void removeChbindPins(String cgroupParent) {
        Path pins = Path.of("/sys/fs/bpf", cgroupParent.replace('/', '.'));
        if (!Files.exists(pins)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(pins)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new AssertionError("failed to remove the test's chbind pins " + pins + ": " + e, e);
        }
    }

    /** Returns the pids of every process whose cgroup path, in any hierarchy, starts with {@code /prefix/}. */
    static List<Integer> processesInCgroup(String prefix) {
        List<Integer> found = new ArrayList<>();
        for (int pid : pids()) {
            if (cgroupPaths(pid).stream().anyMatch(path -> path.startsWith("/" + prefix + "/")
                    || path.equals("/" + prefix))) {
                found.add(pid);
            }
        }
        return found;
    }

    /** Returns the cgroup paths of process {@code pid}, empty when it has ended. */
    static List<String> cgroupPaths(int pid) {
        try {
            return PROC.cgroups(pid).stream().map(CgroupMembership::path).toList();
        } catch (SyscallException e) {
            return List.of();
        }
    }

    /** Returns the namespaces of process {@code pid} by type, such as {@code pid} or {@code mnt}. */
    static Map<String, Namespace> namespaces(int pid) {
        try {
            return PROC.namespaces(pid);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to read the namespaces of process " + pid, e);
        }
    }

    /** Returns the stat of process {@code pid}, empty when it does not exist. */
    static Optional<ProcStat> stat(int pid) {
        try {
            return PROC.findStat(pid);
        } catch (SyscallException e) {
            return Optional.empty();
        }
    }

    /** Returns whether process {@code pid} exists and is not a zombie. */
    static boolean isAlive(int pid) {
        return stat(pid).map(stat -> !stat.isZombie()).orElse(false);
    }

    /** Returns the argv of process {@code pid}, empty when it has ended or is a zombie. */
    static List<String> commandLine(int pid) {
        try {
            String text = Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline"), StandardCharsets.UTF_8);
            return text.isEmpty() ? List.of() : List.of(text.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Integer> pids() {
        try {
            return PROC.pids();
        } catch (IOException e) {
            throw new UncheckedIOException("failed to list /proc", e);
        }
    }

    private static CgroupHierarchies hierarchies() {
        try {
            return CgroupHierarchies.discover();
        } catch (SyscallException e) {
            throw new IllegalStateException("failed to discover the cgroup hierarchies: " + e.getMessage(), e);
        }
    }
}
