package io.vserver.host.internal;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.IsolationElement;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStat;
import io.vserver.kmod.proc.ProcessIdentity;
import io.vserver.kmod.vcontext.ExitRecord;

/**
 * Finds the guests that ran on while the host was down. A guest is adopted again when its run
 * state file names an init that still runs with the same start time. The leftovers of a guest
 * whose init ended meanwhile are released.
 */
final class Readoption {

    private static final Logger LOG = LoggerFactory.getLogger(Readoption.class);

    /**
     * The result of re-adoption for one guest.
     *
     * @param run the adopted run, or null when the guest does not run
     * @param exit the exit record of a run that ended while the host was down, or null
     * @param leftovers whether a run that ended was found and released
     */
    record Outcome(GuestRun run, ExitRecord exit, boolean leftovers) {
    }

    private final HostSettings settings;
    private final ElementRegistry elements;
    private final GuestStopper stopper;
    private final ProcFs proc;

    Readoption(HostSettings settings, ElementRegistry elements, GuestStopper stopper, ProcFs proc) {
        this.settings = settings;
        this.elements = elements;
        this.stopper = stopper;
        this.proc = proc;
    }

    /**
     * Adopts the running init of a guest or releases the leftovers of its ended run.
     *
     * @param spec the guest's configuration now; the run keeps its own xid from the state file
     */
    Outcome readopt(String name, GuestSpec spec, int definedXid) {
        GuestRecord fallback = settings.record(name, definedXid);
        Optional<RunStateFile> state;
        try {
            state = RunStateFile.read(fallback.runDirectory());
        } catch (IOException e) {
            LOG.warn("guest {}: {}; releasing its leftovers", name, e.getMessage());
            releaseLeftovers(fallback, deployedNames());
            return new Outcome(null, null, true);
        }

        if (state.isEmpty()) {
            if (stopper.group(fallback).exists()) {
                LOG.info("guest {}: releasing the leftovers of a start that did not complete", name);
                releaseLeftovers(fallback, deployedNames());
                return new Outcome(null, null, true);
            }
            return new Outcome(null, null, false);
        }

        RunStateFile file = state.get();
        GuestRecord record = settings.record(name, file.xid());
        Pidfd pidfd = openIfAlive(file.init());
        if (pidfd != null && spec != null) {
            GuestRun run = new GuestRun(record, spec, file.init(), file.monitor(), file.startedAt(), file.haltSignal(),
                    file.elements(), pidfd);
            return new Outcome(run, null, false);
        }
        if (pidfd != null) {
            // NOTE: a guest whose definition no longer resolves is adopted only far enough to stop it:
            // the spec is rebuilt from the run state file alone.
            GuestSpec minimal = new GuestSpec(name, file.xid(), List.of(), Map.of(), Map.of());
            return new Outcome(new GuestRun(record, minimal, file.init(), file.monitor(), file.startedAt(),
                    file.haltSignal(), file.elements(), pidfd), null, false);
        }

        ExitRecord exit = stopper.awaitExitRecord(record, file.init(), file.monitor()).orElse(null);
        releaseLeftovers(record, file.elements());
        return new Outcome(null, exit, true);
    }

    private Pidfd openIfAlive(ProcessIdentity init) {
        try {
            Optional<ProcStat> stat = proc.findStat(init.pid());
            if (stat.isEmpty() || stat.get().isZombie() || stat.get().startTime() != init.startTime()) {
                return null;
            }
            Pidfd pidfd = Pidfd.open(init.pid());
            // The pid could have been reused between the check and the open.
            if (init.isAlive(proc)) {
                return pidfd;
            }
            pidfd.close();
            return null;
        } catch (SyscallException e) {
            if (e.errno() != Errno.ESRCH) {
                LOG.warn("Cannot check init {}: {}", init.pid(), e.getMessage());
            }
            return null;
        }
    }

    private void releaseLeftovers(GuestRecord record, List<String> elementNames) {
        stopper.release(record, elementNames);
        try {
            RunStateFile.delete(record.runDirectory());
        } catch (IOException e) {
            LOG.warn("{}: cannot remove the run state file: {}", GuestStopper.label(record), e.getMessage());
        }
    }

    private List<String> deployedNames() {
        return elements.snapshot().stream().map(IsolationElement::name).toList();
    }
}
