package io.vserver.kmod.cgroup;

import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One logical cgroup, such as {@code vserver/web1}, at the same relative path in every mounted
 * hierarchy. The handle stores no kernel state, so it may be created at any time and shared
 * between threads.
 *
 * <p>Files are routed to a hierarchy by the controller their name starts with:
 * {@code memory.limit_in_bytes} goes to the v1 memory hierarchy, {@code memory.max} to the v2
 * hierarchy when memory is a v2 controller there. The typed setters such as
 * {@link #setMemoryMax(long)} write the file of whichever version manages the controller.
 * Every failure names the file and the value.
 */
public final class Cgroup {

    private static final Logger LOG = LoggerFactory.getLogger(Cgroup.class);

    /** The value of a limit that is not set ({@code max} on v2, {@code -1} on v1). */
    public static final long UNLIMITED = -1;

    /**
     * The v2 controllers that {@link #create()} enables in the {@code cgroup.subtree_control}
     * of each parent, as far as the hierarchy offers them: those of the typed setters plus io.
     */
    public static final Set<String> UNIFIED_CONTROLLERS = Set.of("cpu", "io", "memory", "pids");

    private final CgroupHierarchies hierarchies;
    private final CgroupFiles files;
    private final String path;
    private final List<String> segments;

    Cgroup(CgroupHierarchies hierarchies, String path) {
        this.hierarchies = hierarchies;
        this.files = hierarchies.files();
        this.path = path;
        this.segments = validate(path);
    }

    private static List<String> validate(String path) {
        List<String> segments = List.of(path.split("/", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("Invalid cgroup path \"" + path + "\": "
                        + "expected a relative path such as vserver/web1, without empty, "
                        + "\".\" or \"..\" segments");
            }
        }
        return segments;
    }

    /** Returns the relative path, such as {@code vserver/web1}. */
    public String path() {
        return path;
    }

    /** Returns the hierarchies this group spans. */
    public CgroupHierarchies hierarchies() {
        return hierarchies;
    }

    /** Returns the directory of this group in one hierarchy. */
    public Path directory(CgroupHierarchy hierarchy) {
        return hierarchy.mountPoint().resolve(path);
    }

    /** Returns true if the group's directory exists in at least one hierarchy. */
    public boolean exists() {
        return hierarchies.all().stream().anyMatch(h -> files.isDirectory(directory(h)));
    }

    /**
     * Creates the group and any missing parents in every hierarchy; existing directories are
     * kept, so creating twice is harmless. On v1 cpuset, empty {@code cpuset.cpus} and
     * {@code cpuset.mems} are copied from the parent, because the kernel rejects tasks in a
     * cpuset without them. On v2, the {@link #UNIFIED_CONTROLLERS} the hierarchy offers are
     * enabled in each parent's {@code cgroup.subtree_control}, so the group gets their files.
     */
    public void create() throws SyscallException {
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            if (hierarchy.version() == CgroupVersion.V2) {
                createUnified(hierarchy);
            } else {
                createLegacy(hierarchy);
            }
        }
        LOG.debug("Created cgroup {} in {}", path, hierarchies.all());
    }

    private void createLegacy(CgroupHierarchy hierarchy) throws SyscallException {
        Path directory = hierarchy.mountPoint();
        for (String segment : segments) {
            Path parent = directory;
            directory = directory.resolve(segment);
            files.mkdir(directory);
            if (hierarchy.hasController("cpuset")) {
                inheritFromParent(parent, directory, "cpuset.cpus");
                inheritFromParent(parent, directory, "cpuset.mems");
            }
        }
    }

    private void createUnified(CgroupHierarchy hierarchy) throws SyscallException {
        Set<String> controllers = new TreeSet<>(hierarchy.controllers());
        controllers.retainAll(UNIFIED_CONTROLLERS);
        Path directory = hierarchy.mountPoint();
        for (String segment : segments) {
            enableControllers(directory, controllers);
            directory = directory.resolve(segment);
            files.mkdir(directory);
        }
    }

    private void enableControllers(Path parent, Set<String> controllers)
            throws SyscallException {
        if (controllers.isEmpty()) {
            return;
        }
        // Only missing controllers are written, so a parent this driver did not create (the
        // hierarchy root) is left untouched when it already enables them.
        Path subtreeControl = parent.resolve("cgroup.subtree_control");
        Set<String> missing = new TreeSet<>(controllers);
        missing.removeAll(CgroupHierarchies.words(files.read(subtreeControl)));
        if (missing.isEmpty()) {
            return;
        }
        StringBuilder value = new StringBuilder();
        for (String controller : missing) {
            value.append(value.length() == 0 ? "+" : " +").append(controller);
        }
        files.write(subtreeControl, value.toString());
    }

    private void inheritFromParent(Path parent, Path directory, String file)
            throws SyscallException {
        if (files.read(directory.resolve(file)).isBlank()) {
            files.write(directory.resolve(file), files.read(parent.resolve(file)).trim());
        }
    }

    /**
     * Returns the hierarchy a file of this group lives in, chosen by the controller its name
     * starts with; {@code cgroup.*} files go to the v2 hierarchy when there is one.
     *
     * @throws CgroupException if no mounted hierarchy manages that controller
     */
    public CgroupHierarchy hierarchyOf(String file) throws CgroupException {
        checkFileName(file);
        int dot = file.indexOf('.');
        String controller = dot < 0 ? file : file.substring(0, dot);
        if (controller.equals("cgroup")) {
            Optional<CgroupHierarchy> core = hierarchies.unified()
                    .or(() -> hierarchies.legacy().stream().findFirst());
            if (core.isPresent()) {
                return core.get();
            }
        }
        return hierarchies.forController(controller).orElseThrow(() -> new CgroupException(
                "No mounted cgroup hierarchy has the controller \"" + controller + "\" of file "
                        + file + " in cgroup " + path + "; mounted: " + hierarchies.describe()));
    }

    private static void checkFileName(String file) {
        if (file.isEmpty() || file.contains("/") || file.equals(".") || file.equals("..")) {
            throw new IllegalArgumentException("Invalid cgroup file name \"" + file
                    + "\": expected a name such as memory.max");
        }
    }

    /** Writes a value to a file of this group, in the hierarchy {@link #hierarchyOf} selects. */
    public void set(String file, String value) throws IOException {
        set(hierarchyOf(file), file, value);
    }

    /** Writes a value to a file of this group in a given hierarchy. */
    public void set(CgroupHierarchy hierarchy, String file, String value) throws SyscallException {
        checkFileName(file);
        files.write(directory(hierarchy).resolve(file), value);
        LOG.debug("Set {} of cgroup {} in {} to \"{}\"", file, path, hierarchy.name(), value);
    }

    /** Reads a file of this group, trimmed, from the hierarchy {@link #hierarchyOf} selects. */
    public String read(String file) throws IOException {
        return read(hierarchyOf(file), file);
    }

    /** Reads a file of this group in a given hierarchy, trimmed. */
    public String read(CgroupHierarchy hierarchy, String file) throws SyscallException {
        checkFileName(file);
        return files.read(directory(hierarchy).resolve(file)).trim();
    }

    /**
     * Moves a process, with all its threads, into this group in every hierarchy, v1 first.
     * A failure leaves the process in the hierarchies it was already moved in.
     */
    public void attach(int pid) throws SyscallException {
        if (pid <= 0) {
            throw new IllegalArgumentException("Invalid pid " + pid + ": expected a positive pid");
        }
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            attach(hierarchy, pid);
        }
        LOG.debug("Attached pid {} to cgroup {}", pid, path);
    }

    /** Moves a process, with all its threads, into this group in one hierarchy. */
    public void attach(CgroupHierarchy hierarchy, int pid) throws SyscallException {
        if (pid <= 0) {
            throw new IllegalArgumentException("Invalid pid " + pid + ": expected a positive pid");
        }
        files.write(directory(hierarchy).resolve("cgroup.procs"), Integer.toString(pid));
    }

    /**
     * Returns the pids in this group and its child groups, over every hierarchy (the union of
     * their {@code cgroup.procs}). Hierarchies where the group does not exist add nothing.
     */
    public Set<Integer> pids() throws IOException {
        Set<Integer> pids = new TreeSet<>();
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            collectPids(directory(hierarchy), pids);
        }
        return pids;
    }

    private void collectPids(Path directory, Set<Integer> pids) throws IOException {
        String procs;
        try {
            procs = files.read(directory.resolve("cgroup.procs"));
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV) {
                return;
            }
            throw e;
        }
        for (String line : procs.split("\n")) {
            String pid = line.trim();
            // A process of another pid namespace is listed as 0; it cannot be named from here.
            if (!pid.isEmpty() && !pid.equals("0")) {
                pids.add(Integer.parseInt(pid));
            }
        }
        for (Path child : files.childDirectories(directory)) {
            collectPids(child, pids);
        }
    }

    /**
     * Kills every process of this group and its child groups and waits until none is left.
     * Each round writes v2 {@code cgroup.kill} where the kernel has it, then freezes the group
     * (v1 freezer or v2 {@code cgroup.freeze}) where it can, sends SIGKILL through a pidfd to
     * every pid still listed, which also reaches processes attached only in v1 hierarchies,
     * and thaws the group. Rounds repeat until the group is empty or the timeout passes.
     *
     * @throws CgroupException if the group contains this JVM or PID 1, or if processes remain
     *                         when the timeout passes
     */
    public void killAll(Duration timeout) throws IOException {
        new CgroupKiller(this, files).killAll(timeout);
    }

    /**
     * Removes this group and its child groups from every hierarchy, deepest first. A group
     * that does not exist is not an error, so removing twice is harmless.
     *
     * @throws SyscallException with EBUSY if a group still contains processes
     */
    public void remove() throws IOException {
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            removeTree(directory(hierarchy));
        }
        LOG.debug("Removed cgroup {}", path);
    }

    private void removeTree(Path directory) throws IOException {
        if (!files.isDirectory(directory)) {
            return;
        }
        for (Path child : files.childDirectories(directory)) {
            removeTree(child);
        }
        files.rmdir(directory);
    }

    /**
     * Returns the cgroup id: the inode number of the group's directory in the v2 hierarchy, which
     * BPF programs see as {@code bpf_get_current_cgroup_id()}.
     *
     * @throws CgroupException if no v2 hierarchy is mounted
     */
    public long cgroupId() throws IOException {
        CgroupHierarchy unified = hierarchies.unified().orElseThrow(() -> new CgroupException(
                "Cannot get the id of cgroup " + path + ": no cgroup2 hierarchy is mounted"));
        return files.inode(directory(unified));
    }

    /**
     * Sets the memory limit: {@code memory.limit_in_bytes} on v1, {@code memory.max} on v2.
     * The kernel rounds a v1 limit down to whole pages.
     *
     * @param bytes the limit in bytes, or {@link #UNLIMITED}
     */
    public void setMemoryMax(long bytes) throws IOException {
        CgroupLimits.setMemoryMax(this, bytes);
    }

    /** Returns the memory limit in bytes, or {@link #UNLIMITED}. */
    public long memoryMax() throws IOException {
        return CgroupLimits.memoryMax(this);
    }

    /**
     * Sets the maximum number of tasks (processes and threads), {@code pids.max} on both
     * versions.
     *
     * @param tasks the limit, or {@link #UNLIMITED}
     */
    public void setPidsMax(long tasks) throws IOException {
        CgroupLimits.setPidsMax(this, tasks);
    }

    /** Returns the maximum number of tasks, or {@link #UNLIMITED}. */
    public long pidsMax() throws IOException {
        return CgroupLimits.pidsMax(this);
    }

    /**
     * Sets the CPU bandwidth limit: {@code cpu.cfs_quota_us} and {@code cpu.cfs_period_us} on
     * v1, {@code cpu.max} on v2. The group may use {@code quotaMicros} of CPU time in each
     * period, so a quota of twice the period allows two CPUs.
     *
     * @param quotaMicros  CPU time per period in microseconds, or {@link #UNLIMITED}
     * @param periodMicros the period in microseconds; the kernel accepts 1000 to 1000000
     */
    public void setCpuMax(long quotaMicros, long periodMicros) throws IOException {
        CgroupLimits.setCpuMax(this, quotaMicros, periodMicros);
    }

    /** Returns the CPU bandwidth limit. */
    public CpuMax cpuMax() throws IOException {
        return CgroupLimits.cpuMax(this);
    }

    @Override
    public String toString() {
        return "cgroup " + path;
    }
}
