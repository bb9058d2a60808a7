package io.vserver.host.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestRecord;
import io.vserver.api.IsolationElement;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.Signal;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcessIdentity;
import io.vserver.kmod.vcontext.ExitRecord;
import io.vserver.kmod.vcontext.VContext;

/**
 * Ends guests and removes what their runs made. A stop sends the halt signal and kills the
 * guest's cgroup when the init does not end in time. The release waits for the monitor's exit
 * record, releases the elements in reverse prepare order and removes the cgroup.
 */
final class GuestStopper {

    private static final Logger LOG = LoggerFactory.getLogger(GuestStopper.class);

    /** How long killing every process of a guest's cgroup may take. */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    /** How long the monitor has to write the exit record after the init ended. */
    static final Duration EXIT_RECORD_TIMEOUT = Duration.ofSeconds(5);

    private final ElementRegistry elements;
    private final CgroupHierarchies hierarchies;
    private final ProcFs proc;

    GuestStopper(ElementRegistry elements, CgroupHierarchies hierarchies, ProcFs proc) {
        this.elements = elements;
        this.hierarchies = hierarchies;
        this.proc = proc;
    }

    /**
     * Sends the run's halt signal to its init, waits up to {@code timeout} for the init to end,
     * then kills every process in the guest's cgroup.
     *
     * @throws VServerException when the init still runs after the kill
     */
    void stop(GuestRun run, Duration timeout) throws VServerException {
        String label = label(run.record());
        Pidfd pidfd = run.pidfd();
        if (pidfd == null) {
            return;
        }
        try {
            Signal halt = Signal.parse(run.haltSignal());
            if (!send(pidfd, halt)) {
                return;
            }
            if (pidfd.awaitExit(timeout)) {
                return;
            }
            LOG.info("{}: init {} did not end within {} s of {}: killing every process of cgroup {}", label,
                    run.init().pid(), timeout.toSeconds(), halt.name(), run.record().cgroupPath());
            group(run.record()).killAll(KILL_TIMEOUT);
            if (!pidfd.awaitExit(KILL_TIMEOUT)) {
                throw new VServerException(label + ": init " + run.init().pid() + " still runs "
                        + KILL_TIMEOUT.toSeconds() + " s after SIGKILL");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new VServerException(label + ": stop failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sends a signal to the run's init.
     *
     * @return false when the init has already ended
     */
    boolean signal(GuestRun run, Signal signal) throws VServerException {
        if (run.pidfd() == null) {
            return false;
        }
        try {
            return send(run.pidfd(), signal);
        } catch (SyscallException e) {
            throw new VServerException(label(run.record()) + ": cannot send " + signal.name() + " to init "
                    + run.init().pid() + ": " + e.getMessage(), e);
        }
    }

    private static boolean send(Pidfd pidfd, Signal signal) throws SyscallException {
        try {
            pidfd.sendSignal(signal);
            return true;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ESRCH) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Waits for the monitor of an ended init to write its exit record and returns it. Returns
     * empty when the monitor wrote none in time or the record belongs to another init.
     */
    Optional<ExitRecord> awaitExitRecord(GuestRecord record, ProcessIdentity init, ProcessIdentity monitor) {
        if (monitor != null) {
            awaitEnd(monitor, EXIT_RECORD_TIMEOUT);
        }
        try {
            Optional<ExitRecord> exit = VContext.findExit(record.runDirectory());
            if (exit.isPresent() && exit.get().pid() != init.pid()) {
                LOG.warn("{}: exit record of pid {} does not belong to init {}; ignoring it", label(record),
                        exit.get().pid(), init.pid());
                return Optional.empty();
            }
            return exit;
        } catch (IOException e) {
            LOG.warn("{}: cannot read the exit record: {}", label(record), e.getMessage());
            return Optional.empty();
        }
    }

    /** Waits until a process ends, or the timeout passes; a process that does not exist has ended. */
    void awaitEnd(ProcessIdentity process, Duration timeout) {
        try (Pidfd pidfd = Pidfd.open(process.pid())) {
            if (process.isAlive(proc)) {
                pidfd.awaitExit(timeout);
            }
        } catch (SyscallException e) {
            if (e.errno() != Errno.ESRCH) {
                LOG.debug("Waiting for pid {} failed: {}", process.pid(), e.getMessage());
            }
        }
    }

    /**
     * Releases what a run made: each element in reverse prepare order, then every process left
     * in the guest's cgroup and the cgroup itself. Idempotent; failures are logged and do not
     * stop the other steps.
     *
     * @param elementNames the elements applied to the run, in prepare order
     * @return the failures, each as a sentence; empty when everything was released
     */
    List<String> release(GuestRecord record, List<String> elementNames) {
        List<String> failures = new ArrayList<>();
        List<String> reversed = new ArrayList<>(elementNames);
        Collections.reverse(reversed);
        for (String name : reversed) {
            Optional<IsolationElement> element = elements.find(name);
            if (element.isEmpty()) {
                failures.add("element " + name + " is not deployed, so what it made for the guest stays: run "
                        + "feature:install " + KnownElements.featureOf(name) + " and restart the guest");
                continue;
            }
            try {
                element.get().release(record);
            } catch (VServerException | RuntimeException e) {
                failures.add("element " + name + " failed to release: " + e.getMessage());
            }
        }
        try {
            Cgroup cgroup = group(record);
            if (cgroup.exists()) {
                cgroup.killAll(KILL_TIMEOUT);
                cgroup.remove();
            }
        } catch (IOException e) {
            failures.add("cannot remove cgroup " + record.cgroupPath() + ": " + e.getMessage());
        }
        for (String failure : failures) {
            LOG.warn("{}: {}", label(record), failure);
        }
        return failures;
    }

    Cgroup group(GuestRecord record) {
        return hierarchies.group(record.cgroupPath());
    }

    CgroupHierarchies hierarchies() {
        return hierarchies;
    }

    static String label(GuestRecord record) {
        return "guest " + record.name() + " (xid " + record.xid() + ")";
    }
}
