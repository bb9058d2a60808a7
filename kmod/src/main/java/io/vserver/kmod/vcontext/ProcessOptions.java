package io.vserver.kmod.vcontext;

import io.vserver.kmod.caps.CapabilitySet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The options that {@code vcontext create} and {@code vcontext enter} share: what the executed
 * process gets (capability sets, no_new_privs, seccomp mode, rlimits, working directory,
 * environment), plus
 * options passed through verbatim. The builders of both requests fill one, and each request
 * keeps its own copy, which it never changes.
 */
final class ProcessOptions {

    private final Map<CapabilitySetType, CapabilitySet> capabilities =
            new EnumMap<>(CapabilitySetType.class);
    private final Map<RlimitResource, ResourceLimit> rlimits = new EnumMap<>(RlimitResource.class);
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> extraOptions = new ArrayList<>();
    private boolean noNewPrivileges;
    private Seccomp seccomp;
    private String chdir;

    ProcessOptions copy() {
        ProcessOptions copy = new ProcessOptions();
        copy.capabilities.putAll(capabilities);
        copy.rlimits.putAll(rlimits);
        copy.env.putAll(env);
        copy.extraOptions.addAll(extraOptions);
        copy.noNewPrivileges = noNewPrivileges;
        copy.seccomp = seccomp;
        copy.chdir = chdir;
        return copy;
    }

    void capabilities(CapabilitySetType type, CapabilitySet set) {
        if (set == null) {
            capabilities.remove(type);
            return;
        }
        if (!CapabilitySet.allKnown().containsAll(set)) {
            throw new IllegalArgumentException("Invalid " + type.name().toLowerCase(Locale.ROOT) + " set " + set
                    + ": vcontext takes capabilities by name, and "
                    + set.minus(CapabilitySet.allKnown()) + " have no name in this version");
        }
        capabilities.put(type, set);
    }

    Optional<CapabilitySet> capabilities(CapabilitySetType type) {
        return Optional.ofNullable(capabilities.get(type));
    }

    void noNewPrivileges(boolean value) {
        noNewPrivileges = value;
    }

    boolean noNewPrivileges() {
        return noNewPrivileges;
    }

    void seccomp(Seccomp mode) {
        seccomp = mode;
    }

    Optional<Seccomp> seccomp() {
        return Optional.ofNullable(seccomp);
    }

    /** Sets a limit; a later limit of the same resource replaces the earlier one. */
    void rlimit(ResourceLimit limit) {
        if (limit == null) {
            throw new IllegalArgumentException("Missing resource limit");
        }
        rlimits.put(limit.resource(), limit);
    }

    Map<RlimitResource, ResourceLimit> rlimits() {
        return Collections.unmodifiableMap(rlimits);
    }

    void chdir(String directory) {
        chdir = directory == null ? null : GuestPaths.checkGuestPath(directory, "working directory");
    }

    Optional<String> chdir() {
        return Optional.ofNullable(chdir);
    }

    /** Sets an environment entry; a later value of the same key replaces the earlier one. */
    void env(String key, String value) {
        if (key == null || key.isEmpty() || key.indexOf('=') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid environment variable name \"" + key
                    + "\": expected a non-empty name without '=' or NUL");
        }
        if (value == null || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Invalid value of environment variable " + key
                    + ": expected a text without NUL");
        }
        env.put(key, value);
    }

    Map<String, String> env() {
        return Collections.unmodifiableMap(env);
    }

    void extraOptions(List<String> options) {
        for (String option : options) {
            if (option == null || option.equals("--")) {
                throw new IllegalArgumentException("Invalid extra option \"" + option
                        + "\": expected an option or its value, not \"--\" or null");
            }
        }
        extraOptions.addAll(options);
    }

    List<String> extraOptions() {
        return Collections.unmodifiableList(extraOptions);
    }

    /** Appends the options in vcontext's syntax, extra options last. */
    void appendArguments(List<String> arguments) {
        for (Map.Entry<CapabilitySetType, CapabilitySet> entry : capabilities.entrySet()) {
            String list = entry.getValue().toCommaList();
            arguments.add(entry.getKey().option());
            arguments.add(list.isEmpty() ? "none" : list);
        }
        if (noNewPrivileges) {
            arguments.add("--no-new-privs");
        }
        if (seccomp != null) {
            arguments.add("--seccomp");
            arguments.add(seccomp.option());
        }
        for (ResourceLimit limit : rlimits.values()) {
            arguments.add("--rlimit");
            arguments.add(limit.toArgument());
        }
        if (chdir != null) {
            arguments.add("--chdir");
            arguments.add(chdir);
        }
        for (Map.Entry<String, String> entry : env.entrySet()) {
            arguments.add("--env");
            arguments.add(entry.getKey() + "=" + entry.getValue());
        }
        arguments.addAll(extraOptions);
    }

    static List<String> checkArgv(List<String> argv, String purpose) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("Missing " + purpose + ": expected a program and its arguments");
        }
        for (String argument : argv) {
            if (argument == null || argument.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("Invalid argument \"" + argument + "\" of " + purpose
                        + ": expected a text without NUL");
            }
        }
        if (argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("Invalid " + purpose + ": the program name is empty");
        }
        return List.copyOf(argv);
    }
}
