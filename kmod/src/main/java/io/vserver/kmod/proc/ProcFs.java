package io.vserver.kmod.proc;

import io.vserver.kmod.internal.KernelFiles;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.libc.Syscalls;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reader of a proc file system mounted at a root directory, normally {@code /proc}. A test can
 * point it at a directory laid out like /proc.
 *
 * <p>Reads of a process that has exited fail with a {@link SyscallException} whose errno is
 * ENOENT (or ESRCH for some files); the {@code find*} methods return empty instead.
 */
public final class ProcFs {

    private final Path root;
    private final int pageSize;

    /**
     * Creates a reader.
     *
     * @param root     the directory the proc file system is mounted on
     * @param pageSize the page size in bytes, to turn page counts into bytes
     */
    public ProcFs(Path root, int pageSize) {
        this.root = root;
        this.pageSize = pageSize;
    }

    /** Returns the reader of {@code /proc} with the running kernel's page size. */
    public static ProcFs system() {
        return new ProcFs(Path.of("/proc"), Syscalls.pageSize());
    }

    /** Returns the root directory. */
    public Path root() {
        return root;
    }

    /** Returns the directory of a process, such as {@code /proc/4242}. */
    public Path processDirectory(int pid) {
        return root.resolve(Integer.toString(pid));
    }

    /** Reads {@code /proc/PID/stat}. */
    public ProcStat stat(int pid) throws SyscallException {
        Path file = processDirectory(pid).resolve("stat");
        return ProcStat.parse(KernelFiles.read(file), pageSize, file.toString());
    }

    /** Reads {@code /proc/PID/stat}, or returns empty when the process does not exist. */
    public Optional<ProcStat> findStat(int pid) throws SyscallException {
        try {
            return Optional.of(stat(pid));
        } catch (SyscallException e) {
            if (isGone(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static boolean isGone(SyscallException e) {
        return e.errno() == Errno.ENOENT || e.errno() == Errno.ESRCH;
    }

    /** Reads the capability sets, {@code NoNewPrivs} and seccomp mode of /proc/PID/status. */
    public ProcStatus status(int pid) throws SyscallException {
        Path file = processDirectory(pid).resolve("status");
        return ProcStatus.parse(KernelFiles.read(file), file.toString());
    }

    /**
     * Reads the namespaces of a process from the links in {@code /proc/PID/ns}, keyed by link
     * name ({@code cgroup}, {@code ipc}, {@code mnt}, {@code net}, {@code pid},
     * {@code pid_for_children}, {@code time}, {@code time_for_children}, {@code user},
     * {@code uts}, as far as the kernel has them).
     */
    public Map<String, Namespace> namespaces(int pid) throws IOException {
        Path directory = processDirectory(pid).resolve("ns");
        Map<String, Namespace> namespaces = new TreeMap<>();
        for (Path link : list(directory)) {
            String target = KernelFiles.readlink(link);
            namespaces.put(link.getFileName().toString(), Namespace.parse(target));
        }
        return namespaces;
    }

    /** Reads {@code /proc/PID/cgroup}: the cgroup of the process in each hierarchy. */
    public List<CgroupMembership> cgroups(int pid) throws SyscallException {
        Path file = processDirectory(pid).resolve("cgroup");
        List<CgroupMembership> memberships = new ArrayList<>();
        for (String line : KernelFiles.read(file).split("\n")) {
            if (!line.isBlank()) {
                memberships.add(CgroupMembership.parse(line));
            }
        }
        return memberships;
    }

    /** Reads {@code /proc/PID/mountinfo}: the mounts of the process's mount namespace. */
    public List<MountEntry> mounts(int pid) throws SyscallException {
        return MountInfo.read(processDirectory(pid).resolve("mountinfo"));
    }

    /** Returns the pids of every process, in ascending order. */
    public List<Integer> pids() throws IOException {
        List<Integer> pids = new ArrayList<>();
        for (Path entry : list(root)) {
            String name = entry.getFileName().toString();
            if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                pids.add(Integer.parseInt(name));
            }
        }
        Collections.sort(pids);
        return pids;
    }

    /** Reads the boot time ({@code btime} of {@code /proc/stat}). */
    public Instant bootTime() throws SyscallException {
        Path file = root.resolve("stat");
        for (String line : KernelFiles.read(file).split("\n")) {
            if (line.startsWith("btime ")) {
                return Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim()));
            }
        }
        throw new IllegalStateException("Missing btime line in " + file);
    }

    /**
     * Returns when a process started, from its start time in clock ticks and the boot time.
     * The result is exact to one clock tick plus the one-second resolution of {@code btime}.
     */
    public Instant startInstant(ProcStat stat, long clockTicksPerSecond) throws SyscallException {
        long ticks = stat.startTime();
        long nanos = (ticks % clockTicksPerSecond) * 1_000_000_000L / clockTicksPerSecond;
        return bootTime().plusSeconds(ticks / clockTicksPerSecond).plusNanos(nanos);
    }

    private static List<Path> list(Path directory) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException e) {
            throw new SyscallException("opendir", directory.toString(), Errno.ENOENT);
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return entries;
    }
}
