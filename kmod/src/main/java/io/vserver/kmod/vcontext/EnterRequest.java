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
 * An immutable request to run a command inside a running guest with {@code vcontext enter}.
 * Build one with {@link #builder(int)}; {@link #toArguments(Path)} returns the command line.
 *
 * <p>By default the command gets the capability sets, no_new_privs, seccomp mode and resource
 * limits of the guest process it enters through; each option set here overrides the copied value.
 */
public final class EnterRequest {

    private final int pid;
    private final List<String> command;
    private final ProcessOptions process;

    private EnterRequest(Builder builder) {
        this.pid = builder.pid;
        this.command = ProcessOptions.checkArgv(builder.command, "command to enter the guest with");
        this.process = builder.process.copy();
    }

    /**
     * Returns a builder of a request that enters the guest of a process.
     *
     * @param pid a process of the guest, by its pid in the host's pid namespace, usually the
     *            guest's init
     */
    public static Builder builder(int pid) {
        return new Builder(pid);
    }

    /**
     * Returns the command line of {@code vcontext enter} for this request, starting with the
     * program. {@link VContext#enter} may add {@code --status-fd}.
     */
    public List<String> toArguments(Path program) {
        List<String> arguments = new ArrayList<>();
        arguments.add(program.toString());
        arguments.add("enter");
        arguments.add("--pid");
        arguments.add(Integer.toString(pid));
        process.appendArguments(arguments);
        arguments.add("--");
        arguments.addAll(command);
        return arguments;
    }

    /** Returns the guest process whose namespaces and cgroups the command joins. */
    public int pid() {
        return pid;
    }

    /** Returns the command's argv. */
    public List<String> command() {
        return command;
    }

    /** Returns an overriding capability set; when empty, the guest process's set is copied. */
    public Optional<CapabilitySet> capabilities(CapabilitySetType type) {
        return process.capabilities(type);
    }

    /** Returns whether no_new_privs is requested; it is set anyway when the guest process has it. */
    public boolean noNewPrivileges() {
        return process.noNewPrivileges();
    }

    /** Returns the overriding seccomp mode; when empty, the guest process's mode is copied. */
    public Optional<Seccomp> seccomp() {
        return process.seccomp();
    }

    /** Returns the overriding resource limits; the others are copied from the guest process. */
    public Map<RlimitResource, ResourceLimit> rlimits() {
        return process.rlimits();
    }

    /** Returns the working directory inside the guest; when empty, {@code /}. */
    public Optional<String> chdir() {
        return process.chdir();
    }

    /** Returns the command's environment; vcontext adds a default PATH when it has none. */
    public Map<String, String> env() {
        return process.env();
    }

    /** Returns the options passed to vcontext verbatim. */
    public List<String> extraOptions() {
        return process.extraOptions();
    }

    /** Returns the command line as {@code vcontext enter ...} with the arguments unquoted. */
    @Override
    public String toString() {
        return String.join(" ", toArguments(Path.of("vcontext")));
    }

    /** A mutable builder of {@link EnterRequest}; not safe for use by several threads. */
    public static final class Builder {

        private final int pid;
        private final ProcessOptions process = new ProcessOptions();
        private List<String> command;

        private Builder(int pid) {
            if (pid <= 0) {
                throw new IllegalArgumentException("Invalid pid " + pid
                        + " of the guest process to enter: expected a positive pid");
            }
            this.pid = pid;
        }

        /** Overrides a capability set; {@code null} restores the copy of the guest process's. */
        public Builder capabilities(CapabilitySetType type, CapabilitySet set) {
            process.capabilities(type, set);
            return this;
        }

        /** Overrides the bounding set; the copied sets are narrowed to it. */
        public Builder bounding(CapabilitySet set) {
            return capabilities(CapabilitySetType.BOUNDING, set);
        }

        /** Overrides the permitted set. */
        public Builder permitted(CapabilitySet set) {
            return capabilities(CapabilitySetType.PERMITTED, set);
        }

        /** Overrides the effective set. */
        public Builder effective(CapabilitySet set) {
            return capabilities(CapabilitySetType.EFFECTIVE, set);
        }

        /** Overrides the inheritable set. */
        public Builder inheritable(CapabilitySet set) {
            return capabilities(CapabilitySetType.INHERITABLE, set);
        }

        /** Overrides the ambient set. */
        public Builder ambient(CapabilitySet set) {
            return capabilities(CapabilitySetType.AMBIENT, set);
        }

        /** Sets no_new_privs for the command. */
        public Builder noNewPrivileges(boolean noNewPrivileges) {
            process.noNewPrivileges(noNewPrivileges);
            return this;
        }

        /** Overrides the seccomp mode; {@code null} restores the copy of the guest process's. */
        public Builder seccomp(Seccomp mode) {
            process.seccomp(mode);
            return this;
        }

        /** Overrides a resource limit; it replaces an earlier one of the same resource. */
        public Builder rlimit(ResourceLimit limit) {
            process.rlimit(limit);
            return this;
        }

        /** Sets the working directory inside the guest. */
        public Builder chdir(String directory) {
            process.chdir(directory);
            return this;
        }

        /** Sets an environment entry of the command. */
        public Builder env(String key, String value) {
            process.env(key, value);
            return this;
        }

        /** Sets environment entries of the command. */
        public Builder env(Map<String, String> entries) {
            entries.forEach(process::env);
            return this;
        }

        /** Adds options that this class does not model, passed to vcontext verbatim. */
        public Builder extraOptions(String... options) {
            process.extraOptions(Arrays.asList(options));
            return this;
        }

        /** Sets the command's argv. */
        public Builder command(String... argv) {
            return command(Arrays.asList(argv));
        }

        /** Sets the command's argv. */
        public Builder command(Collection<String> argv) {
            this.command = new ArrayList<>(argv);
            return this;
        }

        /**
         * Builds the request.
         *
         * @throws IllegalArgumentException if the command is missing
         */
        public EnterRequest build() {
            return new EnterRequest(this);
        }
    }
}
