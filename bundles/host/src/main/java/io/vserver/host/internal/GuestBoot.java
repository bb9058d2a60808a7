package io.vserver.host.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason.Code;
import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;
import io.vserver.api.MissingElementException;
import io.vserver.api.RunningGuest;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcessIdentity;
import io.vserver.kmod.vcontext.CreateRequest;
import io.vserver.kmod.vcontext.Launch;
import io.vserver.kmod.vcontext.VContext;
import io.vserver.kmod.vcontext.VContextException;

/**
 * Boots one resolved guest: create its cgroup, let each element prepare the launch plan,
 * launch the init with vcontext, and attach the init to the cgroup and the elements before it
 * continues. A failure at any step kills what started, releases every prepared element in
 * reverse order and removes the cgroup, so nothing of the guest is left running.
 */
final class GuestBoot {

    private static final Logger LOG = LoggerFactory.getLogger(GuestBoot.class);

    /** An element's attach failure, carried through vcontext's attach step. */
    private static final class AttachFailure extends IOException {
        private static final long serialVersionUID = 1L;

        AttachFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final HostSettings settings;
    private final ElementRegistry elements;
    private final VContext vcontext;
    private final GuestStopper stopper;
    private final ProcFs proc;

    GuestBoot(HostSettings settings, ElementRegistry elements, VContext vcontext, GuestStopper stopper, ProcFs proc) {
        this.settings = settings;
        this.elements = elements;
        this.vcontext = vcontext;
        this.stopper = stopper;
        this.proc = proc;
    }

    /**
     * Boots a guest and returns its run once the init executes.
     *
     * @param resolution a resolution made just before, whose spec the required elements have validated
     *
     * @throws BootFailure with the reason the guest's status shows
     */
    GuestRun boot(GuestResolver.Resolution resolution) throws BootFailure {
        GuestSpec spec = resolution.spec();
        if (!resolution.missingElements().isEmpty()) {
            String element = resolution.missingElements().get(0);
            throw new BootFailure(Code.MISSING_ELEMENT, new MissingElementException(spec.label(), element,
                    KnownElements.featureOf(element)).getMessage(), null);
        }
        // The resolution has validated the spec with the required elements' validate().
        List<IsolationElement> required = ElementRegistry.requiredBy(spec, elements.snapshot());
        GuestRecord record = settings.record(spec.name(), spec.xid());
        prepareDirectories(spec, record);

        List<IsolationElement> prepared = new ArrayList<>();
        Launch launch = null;
        try {
            createCgroup(spec, record);
            LaunchPlan plan = new LaunchPlan();
            for (IsolationElement element : required) {
                prepared.add(element);
                prepare(spec, record, plan, element);
            }
            Cgroup cgroup = stopper.group(record);
            // vcontext's init moves itself into the v1 directories through their tasks file,
            // and vcontext clones it straight into the cgroup2 directory (CLONE_INTO_CGROUP).
            // Both avoid the RCU grace period that a write of its pid to cgroup.procs waits for.
            for (CgroupHierarchy hierarchy : cgroup.hierarchies().all()) {
                plan.addCgroupDirectory(cgroup.directory(hierarchy));
            }
            CreateRequest request = request(spec, record, plan);
            launch = launch(spec, request, pid -> attach(spec, record, cgroup, required, pid));
            GuestRun run = new GuestRun(record, spec, launch.init(), launch.monitor(), Instant.now(),
                    plan.haltSignal(), names(required), openInit(launch.init()));
            writeRunState(spec, record, run);
            return run;
        } catch (BootFailure failure) {
            cleanUp(record, prepared, launch);
            throw failure;
        } catch (RuntimeException e) {
            cleanUp(record, prepared, launch);
            throw new BootFailure(Code.LAUNCH_FAILED, spec.label() + ": start failed: " + e, e);
        }
    }

    private void prepareDirectories(GuestSpec spec, GuestRecord record) throws BootFailure {
        try {
            Files.createDirectories(record.dataDirectory());
            Files.createDirectories(record.runDirectory());
            // A record of an earlier run would make the new init look ended.
            Files.deleteIfExists(record.runDirectory().resolve(io.vserver.kmod.vcontext.ExitRecord.FILE_NAME));
            RunStateFile.delete(record.runDirectory());
        } catch (IOException e) {
            throw new BootFailure(Code.LAUNCH_FAILED, spec.label() + ": cannot prepare the directories "
                    + record.dataDirectory() + " and " + record.runDirectory() + ": " + e.getMessage(), e);
        }
    }

    private void createCgroup(GuestSpec spec, GuestRecord record) throws BootFailure {
        try {
            Cgroup group = stopper.group(record);
            group.create();
            DeviceAccess.restrict(stopper.hierarchies(), group);
        } catch (IOException e) {
            throw new BootFailure(Code.LAUNCH_FAILED, spec.label() + ": cannot create cgroup " + record.cgroupPath()
                    + ": " + e.getMessage(), e);
        }
    }

    private static void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan, IsolationElement element)
            throws BootFailure {
        try {
            element.prepare(spec, record, plan);
        } catch (InvalidConfigurationException e) {
            throw new BootFailure(Code.INVALID_CONFIGURATION, e.getMessage(), e);
        } catch (VServerException | RuntimeException e) {
            throw new BootFailure(Code.ELEMENT_FAILED, spec.label() + ": element " + element.name()
                    + " failed to prepare: " + e.getMessage(), e);
        }
    }

    private CreateRequest request(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws BootFailure {
        if (plan.root() == null) {
            if (elements.find("fs").isEmpty()) {
                throw new BootFailure(Code.MISSING_ELEMENT, new MissingElementException(spec.label(), "fs",
                        KnownElements.featureOf("fs")).getMessage(), null);
            }
            throw new BootFailure(Code.ELEMENT_FAILED, spec.label() + ": no element set the root directory", null);
        }
        if (plan.init().isEmpty()) {
            throw new BootFailure(Code.INVALID_CONFIGURATION, spec.label()
                    + ": no init command: set the key 'init', for example init = /sbin/init", null);
        }
        try {
            return PlanConverter.toRequest(spec, record, plan);
        } catch (IllegalArgumentException e) {
            throw new BootFailure(Code.ELEMENT_FAILED, spec.label() + ": invalid launch plan: " + e.getMessage(), e);
        }
    }

    private Launch launch(GuestSpec spec, CreateRequest request, io.vserver.kmod.vcontext.Attach attach)
            throws BootFailure {
        try {
            return vcontext.create(request, attach);
        } catch (AttachFailure e) {
            throw new BootFailure(Code.ELEMENT_FAILED, e.getMessage(), e.getCause());
        } catch (VContextException e) {
            throw new BootFailure(Code.LAUNCH_FAILED, spec.label() + ": vcontext failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new BootFailure(Code.LAUNCH_FAILED, spec.label() + ": launch failed: " + e.getMessage(), e);
        }
    }

    private void attach(GuestSpec spec, GuestRecord record, Cgroup cgroup, List<IsolationElement> required, int pid)
            throws IOException {
        long startTime = ProcessIdentity.of(proc, pid).map(ProcessIdentity::startTime)
                .orElseThrow(() -> new IOException(spec.label() + ": init " + pid + " ended before it was attached"));
        RunningGuest running = new RunningGuest(record, spec, pid, startTime);
        for (IsolationElement element : required) {
            try {
                element.attach(running);
            } catch (VServerException | RuntimeException e) {
                throw new AttachFailure(spec.label() + ": element " + element.name() + " failed to attach: "
                        + e.getMessage(), e);
            }
        }
    }

    /** Opens a pidfd on the init; returns null when it has already ended, which the supervisor handles as an exit. */
    private Pidfd openInit(ProcessIdentity init) throws BootFailure {
        try {
            Pidfd pidfd = Pidfd.open(init.pid());
            if (init.isAlive(proc)) {
                return pidfd;
            }
            pidfd.close();
            return null;
        } catch (SyscallException e) {
            if (e.errno() == Errno.ESRCH) {
                return null;
            }
            throw new BootFailure(Code.LAUNCH_FAILED, "cannot open a pidfd on init " + init.pid() + ": "
                    + e.getMessage(), e);
        }
    }

    private static void writeRunState(GuestSpec spec, GuestRecord record, GuestRun run) throws BootFailure {
        try {
            new RunStateFile(spec.xid(), run.init(), run.monitor(), run.haltSignal(), run.startedAt(), run.elements())
                    .write(record.runDirectory());
        } catch (IOException e) {
            run.close();
            throw new BootFailure(Code.LAUNCH_FAILED, spec.label() + ": cannot write the run state file in "
                    + record.runDirectory() + ": " + e.getMessage(), e);
        }
    }

    /** Kills the launched init, if any, and releases the prepared elements and the cgroup. */
    private void cleanUp(GuestRecord record, List<IsolationElement> prepared, Launch launch) {
        if (launch != null) {
            try {
                stopper.group(record).killAll(GuestStopper.KILL_TIMEOUT);
            } catch (IOException e) {
                LOG.warn("{}: cannot kill the processes of the failed start: {}", GuestStopper.label(record),
                        e.getMessage());
            }
            stopper.awaitEnd(launch.monitor(), GuestStopper.EXIT_RECORD_TIMEOUT);
        }
        stopper.release(record, names(prepared));
        try {
            RunStateFile.delete(record.runDirectory());
        } catch (IOException e) {
            LOG.warn("{}: cannot remove the run state file: {}", GuestStopper.label(record), e.getMessage());
        }
    }

    private static List<String> names(List<IsolationElement> list) {
        return list.stream().map(IsolationElement::name).toList();
    }
}
