package io.vserver.kmod.vcontext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable request to run a command in the spectator context (xid 1) with
 * {@code vcontext spectate}: the command stays in the host's namespaces and sees every
 * process, but cannot signal or trace any process outside its own descendants, has no
 * capabilities and cannot change files. Build one with {@link #builder()};
 * {@link #toArguments(Path)} returns the command line.
 */
public final class SpectateRequest {

    private final List<String> argv;
    private final List<Path> cgroups;
    private final String chdir;
    private final ProcessOptions process;

    private SpectateRequest(Builder builder) {
        this.argv = ProcessOptions.checkArgv(builder.argv, "spectator command");
        this.cgroups = List.copyOf(builder.cgroups);
        this.chdir = builder.chdir;
        this.process = builder.process.copy();
    }

    /** Returns an empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the command line of {@code vcontext spectate} for this request, starting with the program. */
    public List<String> toArguments(Path program) {
        List<String> arguments = new ArrayList<>();
        arguments.add(program.toString());
        arguments.add("spectate");
        for (Path cgroup : cgroups) {
            arguments.add("--cgroup");
            arguments.add(cgroup.toString());
        }
        if (chdir != null) {
            arguments.add("--chdir");
            arguments.add(chdir);
        }
        // Only environment entries were set on these options, so only --env options are added.
        process.appendArguments(arguments);
        arguments.add("--");
        arguments.addAll(argv);
        return arguments;
    }

    /** Returns the command's argv. */
    public List<String> argv() {
        return argv;
    }

    /** Returns the cgroup directories vcontext joins before the command runs, in order. */
    public List<Path> cgroups() {
        return cgroups;
    }

    /** Returns the command's working directory on the host; when empty, {@code /}. */
    public Optional<String> chdir() {
        return Optional.ofNullable(chdir);
    }

    /** Returns the command's environment; vcontext adds a default PATH when it has none. */
    public Map<String, String> env() {
        return process.env();
    }

    /** Returns the command line as {@code vcontext spectate ...} with the arguments unquoted. */
    @Override
    public String toString() {
        return String.join(" ", toArguments(Path.of("vcontext")));
    }

    /** A mutable builder of {@link SpectateRequest}; not safe for use by several threads. */
    public static final class Builder {

        private final ProcessOptions process = new ProcessOptions();
        private final List<Path> cgroups = new ArrayList<>();
        private List<String> argv;
        private String chdir;

        private Builder() {
        }

        /** Sets the command's argv. */
        public Builder argv(String... argv) {
            return argv(Arrays.asList(argv));
        }

        /** Sets the command's argv. */
        public Builder argv(Collection<String> argv) {
            this.argv = new ArrayList<>(argv);
            return this;
        }

        /**
         * Adds a cgroup directory, such as {@code /sys/fs/cgroup/memory/vserver/_spectator}, that
         * vcontext joins by writing its pid to {@code DIR/cgroup.procs}. A relative path is
         * made absolute against the JVM's working directory.
         */
        public Builder cgroup(Path directory) {
            cgroups.add(GuestPaths.absolute(directory, "spectator cgroup directory"));
            return this;
        }

        /** Adds cgroup directories, as {@link #cgroup(Path)} does for each. */
        public Builder cgroups(Collection<Path> directories) {
            directories.forEach(this::cgroup);
            return this;
        }

        /** Sets the command's working directory, an absolute path on the host. */
        public Builder chdir(String directory) {
            if (directory != null && (!directory.startsWith("/") || directory.indexOf('\0') >= 0)) {
                throw new IllegalArgumentException("Invalid spectator working directory \"" + directory
                        + "\": expected an absolute host path, such as /var/log");
            }
            this.chdir = directory;
            return this;
        }

        /** Sets an environment entry of the command; a later value of the same key replaces it. */
        public Builder env(String key, String value) {
            process.env(key, value);
            return this;
        }

        /** Sets environment entries of the command. */
        public Builder env(Map<String, String> entries) {
            entries.forEach(process::env);
            return this;
        }

        /**
         * Builds the request.
         *
         * @throws IllegalArgumentException if the command is missing
         */
        public SpectateRequest build() {
            return new SpectateRequest(this);
        }
    }
}
