package io.vserver.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the host passes to vcontext to create one guest, filled in by the elements
 * during prepare, in the order fs, context, limits, capabilities, network. Not thread-safe:
 * one boot fills one plan on one thread.
 */
public final class LaunchPlan {

    /** The capability sets of a process, as in capabilities(7). */
    public enum CapabilitySetKind { BOUNDING, PERMITTED, EFFECTIVE, INHERITABLE, AMBIENT }

    /** The source of the guest's network namespace. */
    public enum NetworkNamespace {
        /** A new namespace with loopback only (elements may add devices in attach). */
        NEW,
        /** The host's namespace. */
        HOST,
        /** An existing namespace, named by {@link LaunchPlan#networkNamespacePath()}. */
        JOIN
    }

    /**
     * A bind mount into the guest.
     *
     * @param source host path
     * @param target absolute path inside the guest
     * @param readOnly whether the guest sees it read-only
     */
    public record Bind(Path source, String target, boolean readOnly) {
    }

    /**
     * A tmpfs mount inside the guest.
     *
     * @param target absolute path inside the guest
     * @param sizeBytes maximum size in bytes, 0 for the kernel's default (half of RAM)
     */
    public record Tmpfs(String target, long sizeBytes) {
    }

    /**
     * A resource limit of setrlimit(2), applied to init and to every entered command.
     *
     * @param name the resource name without RLIMIT_, in lowercase ({@code nofile}, {@code as})
     * @param soft soft limit, -1 for unlimited
     * @param hard hard limit, -1 for unlimited
     */
    public record Rlimit(String name, long soft, long hard) {
    }

    private Path root;
    private final List<Path> lowerDirectories = new ArrayList<>();
    private Path upperDirectory;
    private Path workDirectory;
    private final List<Bind> binds = new ArrayList<>();
    private final List<Tmpfs> tmpfsMounts = new ArrayList<>();
    private long shmSizeBytes;
    private String hostname;
    private NetworkNamespace network = NetworkNamespace.NEW;
    private Path networkNamespacePath;
    private final Map<CapabilitySetKind, Set<String>> capabilities = new EnumMap<>(CapabilitySetKind.class);
    private boolean noNewPrivileges;
    private String seccomp = "default";
    private final Map<String, Rlimit> rlimits = new LinkedHashMap<>();
    private final List<String> init = new ArrayList<>();
    private boolean reaper;
    private String haltSignal = "SIGTERM";
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<Path> cgroupDirectories = new ArrayList<>();

    public Path root() {
        return root;
    }

    /** Sets the directory the guest's root is assembled on (overlay mount point or bind source). */
    public LaunchPlan root(Path directory) {
        this.root = Objects.requireNonNull(directory, "directory");
        return this;
    }

    public List<Path> lowerDirectories() {
        return List.copyOf(lowerDirectories);
    }

    /** Adds a read-only overlay layer below those added before. */
    public LaunchPlan addLowerDirectory(Path directory) {
        lowerDirectories.add(Objects.requireNonNull(directory, "directory"));
        return this;
    }

    public Path upperDirectory() {
        return upperDirectory;
    }

    public Path workDirectory() {
        return workDirectory;
    }

    /** Sets the guest's private overlay upper and work directories. */
    public LaunchPlan overlayUpper(Path upper, Path work) {
        this.upperDirectory = Objects.requireNonNull(upper, "upper");
        this.workDirectory = Objects.requireNonNull(work, "work");
        return this;
    }

    public List<Bind> binds() {
        return List.copyOf(binds);
    }

    public LaunchPlan addBind(Bind bind) {
        binds.add(Objects.requireNonNull(bind, "bind"));
        return this;
    }

    public List<Tmpfs> tmpfsMounts() {
        return List.copyOf(tmpfsMounts);
    }

    /**
     * Adds a tmpfs mount. One with the same target as an earlier mount replaces it in place,
     * because the later mount would hide the earlier one.
     */
    public LaunchPlan addTmpfs(Tmpfs tmpfs) {
        Objects.requireNonNull(tmpfs, "tmpfs");
        for (int i = 0; i < tmpfsMounts.size(); i++) {
            if (tmpfsMounts.get(i).target().equals(tmpfs.target())) {
                tmpfsMounts.set(i, tmpfs);
                return this;
            }
        }
        tmpfsMounts.add(tmpfs);
        return this;
    }

    /** Returns the size of the tmpfs on {@code /dev/shm} in bytes, 0 for the kernel's default (half of RAM). */
    public long shmSizeBytes() {
        return shmSizeBytes;
    }

    /**
     * Sets the size of the tmpfs that vcontext mounts on {@code /dev/shm}. 0 restores the
     * kernel's default (half of RAM).
     */
    public LaunchPlan shmSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("Invalid size " + bytes + " of /dev/shm: expected bytes, or 0 for "
                    + "the kernel's default");
        }
        this.shmSizeBytes = bytes;
        return this;
    }

    public String hostname() {
        return hostname;
    }

    public LaunchPlan hostname(String name) {
        this.hostname = name;
        return this;
    }

    public NetworkNamespace network() {
        return network;
    }

    /** Returns the namespace file to join when {@link #network()} is {@link NetworkNamespace#JOIN}. */
    public Path networkNamespacePath() {
        return networkNamespacePath;
    }

    public LaunchPlan network(NetworkNamespace mode, Path joinPath) {
        if (mode == NetworkNamespace.JOIN && joinPath == null) {
            throw new IllegalArgumentException("joining a network namespace needs the path of its namespace file");
        }
        this.network = Objects.requireNonNull(mode, "mode");
        this.networkNamespacePath = joinPath;
        return this;
    }

    /** Returns the capability names of one set, or null when no element set it. */
    public Set<String> capabilities(CapabilitySetKind kind) {
        Set<String> names = capabilities.get(kind);
        return names == null ? null : Set.copyOf(names);
    }

    /** Sets one capability set, by names as in capabilities(7) in lowercase without {@code cap_}. */
    public LaunchPlan capabilities(CapabilitySetKind kind, Set<String> names) {
        capabilities.put(kind, new LinkedHashSet<>(names));
        return this;
    }

    public boolean noNewPrivileges() {
        return noNewPrivileges;
    }

    public LaunchPlan noNewPrivileges(boolean enabled) {
        this.noNewPrivileges = enabled;
        return this;
    }

    /**
     * Returns the seccomp mode of init and of every entered command: {@code default}, vcontext's
     * filter of the syscalls that change host-wide kernel state, or {@code unconfined}.
     */
    public String seccomp() {
        return seccomp;
    }

    public LaunchPlan seccomp(String mode) {
        this.seccomp = Objects.requireNonNull(mode, "mode");
        return this;
    }

    public List<Rlimit> rlimits() {
        return List.copyOf(rlimits.values());
    }

    /** Sets one rlimit, replacing an earlier value for the same resource. */
    public LaunchPlan rlimit(Rlimit limit) {
        rlimits.put(limit.name(), limit);
        return this;
    }

    public List<String> init() {
        return List.copyOf(init);
    }

    /** Sets the argv of the guest's init. */
    public LaunchPlan init(List<String> argv) {
        init.clear();
        init.addAll(argv);
        return this;
    }

    /** Returns whether vcontext keeps a reaping pid 1 in front of init (the {@code command} init style). */
    public boolean reaper() {
        return reaper;
    }

    public LaunchPlan reaper(boolean enabled) {
        this.reaper = enabled;
        return this;
    }

    /** Returns the signal that asks the guest's init to shut down, for example {@code SIGPWR} for sysv. */
    public String haltSignal() {
        return haltSignal;
    }

    public LaunchPlan haltSignal(String signal) {
        this.haltSignal = Objects.requireNonNull(signal, "signal");
        return this;
    }

    public Map<String, String> environment() {
        return Map.copyOf(environment);
    }

    public LaunchPlan environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    public List<Path> cgroupDirectories() {
        return List.copyOf(cgroupDirectories);
    }

    /** Adds a cgroup directory (of any hierarchy) that init is placed in before it continues. */
    public LaunchPlan addCgroupDirectory(Path directory) {
        cgroupDirectories.add(Objects.requireNonNull(directory, "directory"));
        return this;
    }
}
