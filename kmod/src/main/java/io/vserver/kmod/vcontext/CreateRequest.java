package io.vserver.kmod.vcontext;

import io.vserver.kmod.caps.CapabilitySet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable request to start a guest with {@code vcontext create}: its file system, identity,
 * network, privileges, limits, init and run directory. Build one with {@link #builder(Path)};
 * {@link #toArguments(Path)} returns the command line.
 *
 * <p>Options left unset are left out of the command line, so vcontext's defaults apply: a new
 * network namespace, the bounding set of vcontext itself, permitted and effective sets equal to
 * the bounding set, empty inheritable and ambient sets, the default seccomp filter, and
 * {@code /} as working directory.
 */
public final class CreateRequest {

    private final String name;
    private final Path root;
    private final List<Path> lowerDirectories;
    private final Path upperDirectory;
    private final Path workDirectory;
    private final List<BindMount> binds;
    private final List<TmpfsMount> tmpfsMounts;
    private final long shmSizeBytes;
    private final String hostname;
    private final Network network;
    private final List<Path> cgroupDirectories;
    private final Path runDirectory;
    private final Path consoleFile;
    private final boolean reaper;
    private final List<String> init;
    private final ProcessOptions process;

    private CreateRequest(Builder builder) {
        this.name = builder.name;
        this.root = builder.root;
        this.lowerDirectories = List.copyOf(builder.lowerDirectories);
        this.upperDirectory = builder.upperDirectory;
        this.workDirectory = builder.workDirectory;
        this.binds = List.copyOf(builder.binds);
        this.tmpfsMounts = List.copyOf(builder.tmpfsMounts);
        this.shmSizeBytes = builder.shmSizeBytes;
        this.hostname = builder.hostname;
        this.network = builder.network;
        this.cgroupDirectories = List.copyOf(builder.cgroupDirectories);
        this.runDirectory = builder.runDirectory;
        this.consoleFile = builder.consoleFile;
        this.reaper = builder.reaper;
        this.init = ProcessOptions.checkArgv(builder.init, "init command of the guest");
        this.process = builder.process.copy();
    }

    /**
     * Returns a builder of a request for a guest with this root directory (made absolute). With
     * lower directories an overlay is mounted on it; without, it is bind-mounted onto itself.
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * Returns the command line of {@code vcontext create} for this request, starting with the
     * program. It has no {@code --sync}: {@link VContext#create} adds the options of its status
     * protocol.
     */
    public List<String> toArguments(Path program) {
        List<String> arguments = new ArrayList<>();
        arguments.add(program.toString());
        arguments.add("create");

        addOption(arguments, "--name", name);
        addOption(arguments, "--root", root);
        for (Path lower : lowerDirectories) {
            addOption(arguments, "--lower", lower);
        }
        addOption(arguments, "--upper", upperDirectory);
        addOption(arguments, "--work", workDirectory);

        for (BindMount bind : binds) {
            addOption(arguments, "--bind", bind.toArgument());
        }
        for (TmpfsMount tmpfs : tmpfsMounts) {
            addOption(arguments, "--tmpfs", tmpfs.toArgument());
        }
        if (shmSizeBytes != TmpfsMount.DEFAULT_SIZE) {
            addOption(arguments, "--shm-size", shmSizeBytes);
        }

        addOption(arguments, "--hostname", hostname);
        if (network != null) {
            addOption(arguments, "--net", network.toArgument());
        }
        for (Path cgroup : cgroupDirectories) {
            addOption(arguments, "--cgroup", cgroup);
        }

        addOption(arguments, "--run-dir", runDirectory);
        addOption(arguments, "--console", consoleFile);
        if (reaper) {
            arguments.add("--reaper");
        }
        process.appendArguments(arguments);

        arguments.add("--");
        arguments.addAll(init);
        return arguments;
    }

    private static void addOption(List<String> arguments, String option, Object value) {
        if (value != null) {
            arguments.add(option);
            arguments.add(value.toString());
        }
    }

    /** Returns the guest name that vcontext uses in messages. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Returns the guest's root directory on the host. */
    public Path root() {
        return root;
    }

    /** Returns the overlay lower directories, the top layer first; empty without an overlay. */
    public List<Path> lowerDirectories() {
        return lowerDirectories;
    }

    /** Returns the overlay's writable layer; empty for a read-only overlay or no overlay. */
    public Optional<Path> upperDirectory() {
        return Optional.ofNullable(upperDirectory);
    }

    /** Returns the overlay's work directory. */
    public Optional<Path> workDirectory() {
        return Optional.ofNullable(workDirectory);
    }

    /** Returns the bind mounts, in mount order. */
    public List<BindMount> binds() {
        return binds;
    }

    /** Returns the tmpfs mounts, in mount order. */
    public List<TmpfsMount> tmpfsMounts() {
        return tmpfsMounts;
    }

    /**
     * Returns the size of the tmpfs on {@code /dev/shm} in bytes, or {@link TmpfsMount#DEFAULT_SIZE}
     * for the kernel's default of half the RAM.
     */
    public long shmSizeBytes() {
        return shmSizeBytes;
    }

    /** Returns the UTS host name; when empty, vcontext uses the name. */
    public Optional<String> hostname() {
        return Optional.ofNullable(hostname);
    }

    /** Returns the network namespace; when empty, vcontext creates a new one. */
    public Optional<Network> network() {
        return Optional.ofNullable(network);
    }

    /** Returns the cgroup directories vcontext places the init in before it continues. */
    public List<Path> cgroupDirectories() {
        return cgroupDirectories;
    }

    /** Returns one capability set; when empty, vcontext's default for that set applies. */
    public Optional<CapabilitySet> capabilities(CapabilitySetType type) {
        return process.capabilities(type);
    }

    /** Returns whether no_new_privs is set for the init and its descendants. */
    public boolean noNewPrivileges() {
        return process.noNewPrivileges();
    }

    /** Returns the seccomp mode of the init; when empty, vcontext's default filter applies. */
    public Optional<Seccomp> seccomp() {
        return process.seccomp();
    }

    /** Returns the resource limits of the init, one per resource. */
    public Map<RlimitResource, ResourceLimit> rlimits() {
        return process.rlimits();
    }

    /** Returns the init's working directory inside the guest; when empty, {@code /}. */
    public Optional<String> chdir() {
        return process.chdir();
    }

    /** Returns the init's environment; vcontext adds a default PATH when it has none. */
    public Map<String, String> env() {
        return process.env();
    }

    /** Returns the options passed to vcontext verbatim. */
    public List<String> extraOptions() {
        return process.extraOptions();
    }

    /** Returns the init's argv. */
    public List<String> init() {
        return init;
    }

    /** Returns the directory of {@code exit.json} and of the default console log. */
    public Optional<Path> runDirectory() {
        return Optional.ofNullable(runDirectory);
    }

    /** Returns the file the guest's stdout and stderr are appended to. */
    public Optional<Path> consoleFile() {
        return Optional.ofNullable(consoleFile);
    }

    /** Returns whether pid 1 is vcontext's small init that runs the init as pid 2. */
    public boolean reaper() {
        return reaper;
    }

    /** Returns a short description for messages: the name, else the root. */
    String describe() {
        return name != null ? "guest " + name : "guest at " + root;
    }

    /** Returns the command line as {@code vcontext create ...} with the arguments unquoted. */
    @Override
    public String toString() {
        return String.join(" ", toArguments(Path.of("vcontext")));
    }

    /** A mutable builder of {@link CreateRequest}; not safe for use by several threads. */
    public static final class Builder {

        private final Path root;
        private final List<Path> lowerDirectories = new ArrayList<>();
        private final List<BindMount> binds = new ArrayList<>();
        private final List<TmpfsMount> tmpfsMounts = new ArrayList<>();
        private final List<Path> cgroupDirectories = new ArrayList<>();
        private final ProcessOptions process = new ProcessOptions();
        private String name;
        private Path upperDirectory;
        private Path workDirectory;
        private String hostname;
        private Network network;
        private Path runDirectory;
        private Path consoleFile;
        private boolean reaper;
        private List<String> init;
        private long shmSizeBytes = TmpfsMount.DEFAULT_SIZE;

        private Builder(Path root) {
            this.root = GuestPaths.absolute(root, "root directory");
        }

        /** Sets the guest name, used in vcontext's messages and as default host name. */
        public Builder name(String name) {
            this.name = checkText(name, "guest name");
            return this;
        }

        /** Adds overlay lower directories below those added before (the first is the top). */
        public Builder lower(Path... directories) {
            for (Path directory : directories) {
                Path lower = GuestPaths.absolute(directory, "lower directory");
                // Overlayfs separates lower directories with ':' in its lowerdir option.
                GuestPaths.checkNoColon(lower.toString(), "lower directory");
                lowerDirectories.add(lower);
            }
            return this;
        }

        /** Sets the overlay's writable layer and its work directory, on the same file system. */
        public Builder upper(Path upper, Path work) {
            this.upperDirectory = GuestPaths.absolute(upper, "upper directory");
            this.workDirectory = GuestPaths.absolute(work, "work directory");
            GuestPaths.checkNoColon(upperDirectory.toString(), "upper directory");
            GuestPaths.checkNoColon(workDirectory.toString(), "work directory");
            return this;
        }

        /** Adds a bind mount. */
        public Builder bind(BindMount bind) {
            binds.add(bind);
            return this;
        }

        /** Adds a bind mount of a host path on a path inside the guest. */
        public Builder bind(Path source, String target, boolean readOnly) {
            return bind(new BindMount(source, target, readOnly));
        }

        /** Adds a tmpfs mount. */
        public Builder tmpfs(TmpfsMount tmpfs) {
            tmpfsMounts.add(tmpfs);
            return this;
        }

        /** Adds a tmpfs of the kernel's default size on a path inside the guest. */
        public Builder tmpfs(String target) {
            return tmpfs(new TmpfsMount(target, TmpfsMount.DEFAULT_SIZE));
        }

        /**
         * Sets the size of the tmpfs on {@code /dev/shm} in bytes. {@link TmpfsMount#DEFAULT_SIZE}
         * restores the kernel's default of half the RAM. The pages count against the memory
         * cgroup of the process that writes them, so a guest pays for its own shared memory.
         *
         * @throws IllegalArgumentException if the size is negative
         */
        public Builder shmSize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("Invalid size " + bytes + " of /dev/shm: expected bytes, or "
                        + TmpfsMount.DEFAULT_SIZE + " for the kernel's default");
            }
            this.shmSizeBytes = bytes;
            return this;
        }

        /** Sets the UTS host name. */
        public Builder hostname(String hostname) {
            this.hostname = checkText(hostname, "host name");
            return this;
        }

        /** Sets the network namespace. */
        public Builder network(Network network) {
            this.network = network;
            return this;
        }

        /** Adds a cgroup directory that vcontext writes the init's pid into before it continues. */
        public Builder cgroup(Path directory) {
            cgroupDirectories.add(GuestPaths.absolute(directory, "cgroup directory"));
            return this;
        }

        /** Sets a capability set; {@code null} restores vcontext's default for it. */
        public Builder capabilities(CapabilitySetType type, CapabilitySet set) {
            process.capabilities(type, set);
            return this;
        }

        /** Sets the bounding set, the most any process of the guest can ever hold. */
        public Builder bounding(CapabilitySet set) {
            return capabilities(CapabilitySetType.BOUNDING, set);
        }

        /** Sets the permitted set, which applies until the init's execve(). */
        public Builder permitted(CapabilitySet set) {
            return capabilities(CapabilitySetType.PERMITTED, set);
        }

        /** Sets the effective set, which applies until the init's execve(). */
        public Builder effective(CapabilitySet set) {
            return capabilities(CapabilitySetType.EFFECTIVE, set);
        }

        /** Sets the inheritable set. */
        public Builder inheritable(CapabilitySet set) {
            return capabilities(CapabilitySetType.INHERITABLE, set);
        }

        /** Sets the ambient set; each member must also be permitted and inheritable. */
        public Builder ambient(CapabilitySet set) {
            return capabilities(CapabilitySetType.AMBIENT, set);
        }

        /** Sets no_new_privs for the init and all its descendants. */
        public Builder noNewPrivileges(boolean noNewPrivileges) {
            process.noNewPrivileges(noNewPrivileges);
            return this;
        }

        /**
         * Sets the seccomp mode of the init and all its descendants; {@code null} restores
         * vcontext's default, {@link Seccomp#DEFAULT}.
         */
        public Builder seccomp(Seccomp mode) {
            process.seccomp(mode);
            return this;
        }

        /** Sets a resource limit of the init; it replaces an earlier one of the same resource. */
        public Builder rlimit(ResourceLimit limit) {
            process.rlimit(limit);
            return this;
        }

        /** Sets the init's working directory inside the guest. */
        public Builder chdir(String directory) {
            process.chdir(directory);
            return this;
        }

        /** Sets an environment entry of the init. */
        public Builder env(String key, String value) {
            process.env(key, value);
            return this;
        }

        /** Sets environment entries of the init. */
        public Builder env(Map<String, String> entries) {
            entries.forEach(process::env);
            return this;
        }

        /** Sets the directory of {@code exit.json} and of the default console log. */
        public Builder runDirectory(Path directory) {
            this.runDirectory = GuestPaths.absolute(directory, "run directory");
            return this;
        }

        /** Sets the file the guest's stdout and stderr are appended to. */
        public Builder consoleFile(Path file) {
            this.consoleFile = GuestPaths.absolute(file, "console file");
            return this;
        }

        /** Keeps vcontext's small init as pid 1, which reaps orphans and runs the init as pid 2. */
        public Builder reaper(boolean reaper) {
            this.reaper = reaper;
            return this;
        }

        /**
         * Adds options that this class does not model, passed to vcontext verbatim before the
         * init command, such as options of a newer vcontext.
         */
        public Builder extraOptions(String... options) {
            process.extraOptions(Arrays.asList(options));
            return this;
        }

        /** Sets the init's argv. */
        public Builder init(String... argv) {
            return init(Arrays.asList(argv));
        }

        /** Sets the init's argv. */
        public Builder init(Collection<String> argv) {
            this.init = new ArrayList<>(argv);
            return this;
        }

        /**
         * Builds the request.
         *
         * @throws IllegalArgumentException if the init is missing, or the overlay options do not
         *                                  fit together
         */
        public CreateRequest build() {
            if ((upperDirectory != null) && lowerDirectories.isEmpty()) {
                throw new IllegalArgumentException("Invalid overlay of guest root " + root
                        + ": an upper directory needs at least one lower directory");
            }
            return new CreateRequest(this);
        }

        private static String checkText(String value, String purpose) {
            if (value == null || value.isEmpty() || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("Invalid " + purpose + " \"" + value
                        + "\": expected a non-empty text without NUL");
            }
            return value;
        }
    }
}
