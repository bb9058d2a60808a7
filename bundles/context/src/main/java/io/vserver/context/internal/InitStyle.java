package io.vserver.context.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.vserver.kmod.libc.Signal;

/**
 * The values of {@code init.style}: how the guest's init is started and asked to shut down.
 */
enum InitStyle {

    /**
     * The {@code init} program runs as pid 1 and is stopped with SIGTERM. The kernel delivers
     * it to a namespace's init only when the init has a handler for it, so a program without
     * one is killed when the stop timeout passes. The {@code command} style avoids that.
     */
    PLAIN(List.of(), Signal.SIGTERM, false, Map.of()),

    /**
     * The {@code init} program runs as pid 2 under vcontext's small reaper, which reaps
     * orphans and forwards SIGTERM to it: for a single service that was not written to be pid 1.
     */
    COMMAND(List.of(), Signal.SIGTERM, true, Map.of()),

    /**
     * A SysV-style init, asked to halt with SIGPWR as lxc-stop(1) does by default
     * ({@code lxc.signal.halt}). busybox init halts on SIGPWR ({@code init/init.c}), and
     * sysvinit treats it as a power failure and runs the {@code powerwait} and
     * {@code powerfail} entries of /etc/inittab.
     *
     * <p>NOTE: sysvinit shuts down on SIGPWR only when the guest's inittab has such an entry
     * that halts, for example {@code pf::powerwait:/sbin/shutdown -h now}. Without one the
     * host kills the guest when the stop timeout passes.
     */
    SYSV(List.of("/sbin/init"), Signal.SIGPWR, false, Map.of()),

    /**
     * systemd as pid 1, which starts {@code halt.target} on SIGRTMIN+3 (systemd(1), section
     * Signals). The {@code container} variable is how systemd detects that it runs in a
     * container, so that it skips units that need real hardware.
     */
    SYSTEMD(List.of("/lib/systemd/systemd"), Signal.SYSTEMD_HALT, false, Map.of("container", "vserver"));

    private final List<String> defaultInit;
    private final Signal haltSignal;
    private final boolean reaper;
    private final Map<String, String> environment;

    InitStyle(List<String> defaultInit, Signal haltSignal, boolean reaper, Map<String, String> environment) {
        this.defaultInit = defaultInit;
        this.haltSignal = haltSignal;
        this.reaper = reaper;
        this.environment = environment;
    }

    /** Returns the init argv used when {@code init} is not set, empty when the key is required. */
    List<String> defaultInit() {
        return defaultInit;
    }

    /** Returns the halt signal: the signal the host sends to stop the init. */
    Signal haltSignal() {
        return haltSignal;
    }

    /** Returns whether vcontext keeps its reaper as pid 1 in front of the init. */
    boolean reaper() {
        return reaper;
    }

    /** Returns the environment entries the init needs in this style. */
    Map<String, String> environment() {
        return environment;
    }

    /** Returns the value used in {@code init.style}, such as {@code sysv}. */
    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Returns the style with an {@code init.style} value, in any case. */
    static Optional<InitStyle> find(String value) {
        String name = value.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(style -> style.name().equals(name)).findFirst();
    }

    /** Returns the accepted values, for messages: {@code plain, command, sysv or systemd}. */
    static String acceptedValues() {
        String all = Arrays.stream(values()).map(InitStyle::key).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
