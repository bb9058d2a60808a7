package io.vserver.host.internal;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.RunningGuest;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.ProcessIdentity;

/**
 * One run of a guest, from the launch (or re-adoption) of its init until the host has seen
 * the init end and released what the run made. The fields other than the spec and the stop
 * flag never change; the guest's executor is the only writer of those two.
 */
final class GuestRun {

    private final GuestRecord record;
    private volatile GuestSpec spec;
    private final ProcessIdentity init;
    private final ProcessIdentity monitor;
    private final Instant startedAt;
    private final String haltSignal;
    private final List<String> elements;
    private final Pidfd pidfd;
    private volatile long watchId = -1;
    private volatile boolean stopRequested;

    /**
     * @param elements the names of the elements applied to the run, in prepare order
     * @param pidfd a pidfd on the init, owned by the run; null when the init ended before the
     *     host could open one
     */
    GuestRun(GuestRecord record, GuestSpec spec, ProcessIdentity init, ProcessIdentity monitor, Instant startedAt,
            String haltSignal, List<String> elements, Pidfd pidfd) {
        this.record = Objects.requireNonNull(record, "record");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.init = Objects.requireNonNull(init, "init");
        this.monitor = monitor;
        this.startedAt = startedAt;
        this.haltSignal = haltSignal;
        this.elements = List.copyOf(elements);
        this.pidfd = pidfd;
    }

    GuestRecord record() {
        return record;
    }

    GuestSpec spec() {
        return spec;
    }

    void spec(GuestSpec updated) {
        this.spec = updated;
    }

    ProcessIdentity init() {
        return init;
    }

    /** Returns the vcontext monitor of the init, or null when it is not known. */
    ProcessIdentity monitor() {
        return monitor;
    }

    Instant startedAt() {
        return startedAt;
    }

    String haltSignal() {
        return haltSignal;
    }

    List<String> elements() {
        return elements;
    }

    /** Returns the pidfd on the init, or null when the init ended before the host could open one. */
    Pidfd pidfd() {
        return pidfd;
    }

    long watchId() {
        return watchId;
    }

    void watchId(long id) {
        this.watchId = id;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    void requestStop() {
        this.stopRequested = true;
    }

    RunningGuest runningGuest() {
        return new RunningGuest(record, spec, init.pid(), init.startTime());
    }

    /** Closes the pidfd; the supervisor must no longer watch it. */
    void close() {
        if (pidfd == null) {
            return;
        }
        try {
            pidfd.close();
        } catch (SyscallException e) {
            // close(2) fails with EBADF or EINTR here, and neither leaves a descriptor to clean up.
        }
    }
}
