package io.vserver.host.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason;
import io.vserver.api.FailureReason.Code;
import io.vserver.api.GuestManager;
import io.vserver.api.GuestNames;
import io.vserver.api.GuestProcess;
import io.vserver.api.GuestRecord;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStats;
import io.vserver.api.GuestStateException;
import io.vserver.api.GuestStatus;
import io.vserver.api.GuestSpec;
import io.vserver.api.PolicyReport;
import io.vserver.api.PolicyOutcome;
import io.vserver.api.PolicyInfo;
import io.vserver.api.GuestSettings;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.libc.Signal;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.vcontext.EnterRequest;
import io.vserver.kmod.vcontext.SpectateRequest;
import io.vserver.kmod.vcontext.VContext;

/**
 * The {@link GuestManager} operations, without OSGi. Each operation on a guest runs on that
 * guest's executor and the caller waits for it, so operations on one guest happen in the
 * order they were requested, and different guests proceed in parallel.
 */
final class GuestService implements GuestManager, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GuestService.class);

    /** How long closing waits for operations in progress, such as a start, to finish. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final HostSettings settings;
    private final ElementRegistry elements;
    private final ProcFs proc = ProcFs.system();
    private final VContext vcontext;
    private final GuestStopper stopper;
    private final Supervisor supervisor;
    private final GuestLifecycle lifecycle;
    private final Readoption readoption;
    private final GuestProcesses processes;
    private final GuestRegistry registry;
    private final PolicyApplication policyApplication;
    private final GuestStatsReader statsReader;
    private final Set<String> pendingAutostarts = ConcurrentHashMap.newKeySet();

    GuestService(HostSettings settings, DefinitionStore store, ElementRegistry elements) throws IOException {
        this(settings, store, elements, new PolicyRegistry(elements));
    }

    GuestService(HostSettings settings, DefinitionStore store, ElementRegistry elements, PolicyRegistry policies)
            throws IOException {
        this.settings = settings;
        this.elements = elements;
        this.registry = new GuestRegistry(store, elements, policies);
        this.policyApplication = new PolicyApplication(registry);
        this.vcontext = new VContext(settings.vcontextProgram());
        this.stopper = new GuestStopper(elements, CgroupHierarchies.discover(), proc);
        this.supervisor = new Supervisor();
        GuestBoot boot = new GuestBoot(settings, elements, vcontext, stopper, proc);
        this.lifecycle = new GuestLifecycle(settings, boot, stopper, supervisor, registry::resolve, registry::runEnded);
        this.readoption = new Readoption(settings, elements, stopper, proc);
        this.processes = new GuestProcesses(proc, settings.cgroupParent());
        this.statsReader = new GuestStatsReader(stopper.hierarchies(), proc);
    }

    /** Loads the definitions, re-adopts the guests that still run and starts those with autostart=true. */
    void open() throws VServerException {
        registry.loadAll();
        for (Guest guest : registry.all()) {
            readopt(guest);
        }
        for (Guest guest : registry.all()) {
            if (guest.run() == null && autostart(guest)) {
                pendingAutostarts.add(guest.name());
            }
        }
        startPendingAutostarts(true);
    }

    /**
     * Starts the guests with autostart=true that waited for an element or a policy, if it has
     * now been deployed.
     */
    void elementsChanged() {
        startPendingAutostarts(false);
    }

    /**
     * Starts the guests with autostart=true whose elements are all deployed. At Karaf's start
     * the element bundles may come up after the host, so a guest waits here for its elements.
     *
     * @param report whether to log the guests that keep waiting at INFO, else at DEBUG
     */
    private void startPendingAutostarts(boolean report) {
        for (String name : List.copyOf(pendingAutostarts)) {
            Guest guest = registry.get(name);
            if (guest == null) {
                pendingAutostarts.remove(name);
                continue;
            }
            try {
                GuestResolver.Resolution resolution = registry.resolve(guest);
                List<String> missing = new ArrayList<>(resolution.missingElements());
                resolution.missingPolicies().forEach(policy -> missing.add("policy " + policy));
                if (!missing.isEmpty()) {
                    if (report) {
                        LOG.info("guest {}: autostart waits for {} to be deployed", name, missing);
                    } else {
                        LOG.debug("guest {}: autostart still waits for {}", name, missing);
                    }
                    continue;
                }
            } catch (InvalidConfigurationException e) {
                // The start below reports the invalid definition.
                LOG.debug("guest {}: definition invalid at autostart: {}", name, e.getMessage());
            }
            if (pendingAutostarts.remove(name)) {
                guest.executor().execute(() -> startInBackground(guest));
            }
        }
    }

    private void readopt(Guest guest) {
        GuestResolver.Resolution resolution = null;
        try {
            resolution = registry.resolve(guest);
        } catch (InvalidConfigurationException e) {
            // The registry has logged the invalid definition when it loaded it.
            LOG.debug("{}", e.getMessage());
        }
        Readoption.Outcome outcome = readoption.readopt(guest.name(),
                resolution == null ? null : resolution.spec(), guest.xid());
        if (outcome.run() != null) {
            lifecycle.adopt(guest, outcome.run());
        } else if (outcome.leftovers()) {
            if (outcome.exit() != null && outcome.exit().status().isExited() && outcome.exit().status().exitCode() == 0) {
                guest.state(GuestState.STOPPED, null);
            } else {
                String end = outcome.exit() == null ? "with an unknown exit status" : "with " + outcome.exit().status();
                guest.state(GuestState.FAILED, new FailureReason(Code.INIT_FAILED, "guest " + guest.name()
                        + ": init ended " + end + " while the host was down"));
            }
            LOG.info("guest {}: released the leftovers of a run that ended while the host was down", guest.name());
        }
    }

    private static boolean autostart(Guest guest) {
        try {
            return GuestResolver.parseAutostart("guest " + guest.name(), guest.definition().get(GuestResolver.AUTOSTART));
        } catch (InvalidConfigurationException e) {
            return false;
        }
    }

    private void startInBackground(Guest guest) {
        if (guest.run() != null) {
            return;
        }
        try {
            lifecycle.start(guest, registry.resolve(guest));
        } catch (InvalidConfigurationException e) {
            guest.state(GuestState.FAILED, new FailureReason(Code.INVALID_CONFIGURATION, e.getMessage()));
            LOG.error("guest {}: autostart failed: {}", guest.name(), e.getMessage());
        } catch (VServerException e) {
            // The lifecycle has logged the failure and set the state.
        }
    }

    @Override
    public GuestStatus create(String name, Map<String, String> settings, List<String> policies)
            throws VServerException {
        GuestNames.check(name);
        Map<String, String> keys = new TreeMap<>(settings);
        if (policies != null && !policies.isEmpty()) {
            keys.put(GuestResolver.POLICIES, String.join(",", policies));
        }
        Guest guest = registry.create(name, keys);
        LOG.info("guest {} (xid {}) created", name, guest.xid());
        return GuestStatuses.of(guest, elements.snapshot());
    }

    @Override
    public void destroy(String name, boolean force) throws VServerException {
        Guest guest = registry.find(name);
        guest.countOperation();
        await(guest, () -> {
            if (guest.run() != null) {
                if (!force) {
                    throw new GuestStateException("guest " + name + " is running: stop it first, or destroy it "
                            + "with --force", guest.state());
                }
                lifecycle.stop(guest, Duration.ZERO);
            }
            GuestRecord record = settings.record(name, guest.xid());
            try {
                DirectoryRemover.removeTree(record.dataDirectory(), proc);
                DirectoryRemover.removeTree(record.runDirectory(), proc);
            } catch (IOException e) {
                throw new VServerException("guest " + name + ": cannot remove its directories: " + e.getMessage(), e);
            }
            registry.store().delete(name);
            registry.remove(guest);
            return null;
        });
        LOG.info("guest {} destroyed", name);
    }

    @Override
    public GuestStatus start(String name) throws VServerException {
        Guest guest = registry.find(name);
        guest.countOperation();
        pendingAutostarts.remove(name);
        return await(guest, () -> {
            if (guest.run() != null) {
                throw new GuestStateException("guest " + name + " is running already: stop it first, or use "
                        + "restart", guest.state());
            }
            lifecycle.start(guest, resolveForStart(guest));
            return status(guest);
        });
    }

    /** Resolves a stopped guest's definition for a start; an invalid one makes the guest FAILED. */
    private GuestResolver.Resolution resolveForStart(Guest guest) throws InvalidConfigurationException {
        try {
            GuestResolver.Resolution resolution = registry.resolve(guest);
            resolution.requirePolicies();
            return resolution;
        } catch (InvalidConfigurationException e) {
            guest.state(GuestState.FAILED, new FailureReason(Code.INVALID_CONFIGURATION, e.getMessage()));
            LOG.error("{}", e.getMessage());
            throw e;
        }
    }

    @Override
    public GuestStatus stop(String name, Duration timeout) throws VServerException {
        Guest guest = registry.find(name);
        guest.countOperation();
        return await(guest, () -> {
            lifecycle.stop(guest, timeout);
            return status(guest);
        });
    }

    @Override
    public GuestStatus restart(String name) throws VServerException {
        Guest guest = registry.find(name);
        guest.countOperation();
        return await(guest, () -> {
            if (guest.run() != null) {
                lifecycle.stop(guest, null);
            }
            lifecycle.start(guest, resolveForStart(guest));
            return status(guest);
        });
    }

    @Override
    public void kill(String name, String signal) throws VServerException {
        Guest guest = registry.find(name);
        Signal parsed;
        try {
            parsed = Signal.parse(signal);
        } catch (IllegalArgumentException e) {
            throw new VServerException("invalid signal '" + signal + "': expected a name such as TERM or SIGKILL, "
                    + "or a number from 1 to 64");
        }
        GuestRun run = guest.run();
        if (run == null || !stopper.signal(run, parsed)) {
            throw new GuestStateException("guest " + name + " is not running", guest.state());
        }
        LOG.info("guest {}: sent {} to init {}", name, parsed.name(), run.init().pid());
    }

    @Override
    public List<GuestStatus> list() {
        List<GuestStatus> statuses = new ArrayList<>();
        for (Guest guest : registry.all()) {
            statuses.add(status(guest));
        }
        return statuses;
    }

    @Override
    public GuestStatus status(String name) throws VServerException {
        return status(registry.find(name));
    }

    private GuestStatus status(Guest guest) {
        return GuestStatuses.of(guest, elements.snapshot());
    }

    @Override
    public Process exec(String name, List<String> command) throws VServerException {
        Guest guest = registry.find(name);
        if (command == null || command.isEmpty()) {
            throw new VServerException("guest " + name + ": no command to execute: give one after --");
        }
        GuestRun run = guest.run();
        if (run == null || guest.state() != GuestState.RUNNING) {
            throw new GuestStateException("guest " + name + " is not running (state " + guest.state()
                    + "): start it first", guest.state());
        }
        try {
            return vcontext.startEnter(EnterRequest.builder(run.init().pid()).command(command).build());
        } catch (IOException | IllegalArgumentException e) {
            throw new VServerException("guest " + name + ": cannot execute " + command + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<GuestStats> stats() {
        List<GuestStats> stats = new ArrayList<>();
        for (Guest guest : registry.all()) {
            GuestRun run = guest.run();
            if (run == null) {
                continue;
            }
            try {
                stats.add(statsReader.read(run));
            } catch (IOException e) {
                // The run ended while its cgroups were read.
                LOG.debug("guest {}: statistics not read: {}", guest.name(), e.getMessage());
            }
        }
        return stats;
    }

    @Override
    public Map<String, UpdateOutcome> updateSettings(String name, Map<String, String> changes)
            throws VServerException {
        Guest guest = registry.find(name);
        if (changes == null || changes.isEmpty()) {
            throw new VServerException("guest " + name + ": no settings to change: give KEY=VALUE pairs");
        }
        Map<String, String> copy = new TreeMap<>(changes);
        return await(guest, () -> SettingsUpdate.update(registry, guest, copy));
    }

    @Override
    public List<GuestProcess> processes(String name) throws VServerException {
        registry.find(name);
        try {
            return processes.list(contexts(), name);
        } catch (IOException e) {
            throw new VServerException("guest " + name + ": cannot list processes: " + e.getMessage(), e);
        }
    }

    @Override
    public List<GuestProcess> allProcesses() {
        try {
            return processes.list(contexts(), null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list processes: " + e.getMessage(), e);
        }
    }

    private Map<String, GuestProcesses.Context> contexts() {
        Map<String, GuestProcesses.Context> contexts = new HashMap<>();
        for (Guest guest : registry.all()) {
            GuestRun run = guest.run();
            contexts.put(guest.name(), new GuestProcesses.Context(guest.name(),
                    run != null ? run.record().xid() : guest.xid()));
        }
        return contexts;
    }

    /**
     * Starts a command in the spectator context: vcontext joins the cgroup
     * {@code PARENT/}{@value GuestProcesses#SPECTATOR_CGROUP} in every hierarchy, which the
     * process list attributes to xid 1, and confines itself with Landlock before it executes
     * the command.
     */
    @Override
    public Process spectate(List<String> command) throws VServerException {
        if (command == null || command.isEmpty()) {
            throw new VServerException("spectator: no command to run: give one after --");
        }
        Cgroup cgroup = stopper.hierarchies().group(settings.cgroupParent() + "/" + GuestProcesses.SPECTATOR_CGROUP);
        try {
            // Creating an existing group keeps it, and recreates what an operator removed.
            cgroup.create();
            List<Path> directories = new ArrayList<>();
            for (CgroupHierarchy hierarchy : cgroup.hierarchies().all()) {
                directories.add(cgroup.directory(hierarchy));
            }
            Process process = vcontext.startSpectate(SpectateRequest.builder().cgroups(directories).argv(command)
                    .build());
            LOG.info("spectator: started {} as pid {}", command, process.pid());
            return process;
        } catch (IOException | IllegalArgumentException e) {
            throw new VServerException("spectator: cannot run " + command + " in cgroup " + cgroup.path() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Returns the listener that keeps the registry in step with definitions changed outside the host. */
    DefinitionStore.Listener definitionListener() {
        return registry;
    }

    /** Ends supervision and lets the guests run on: stops nothing. */
    @Override
    public void close() {
        policyApplication.close();
        lifecycle.close();
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        for (Guest guest : registry.all()) {
            guest.executor().shutdown();
        }
        for (Guest guest : registry.all()) {
            try {
                if (!guest.executor().awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warn("guest {}: an operation still runs after {} s of shutdown", guest.name(),
                            CLOSE_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        supervisor.close();
        for (Guest guest : registry.all()) {
            GuestRun run = guest.run();
            if (run != null) {
                run.close();
            }
        }
        LOG.info("VServer guest manager stopped; {} running guests keep running", 
                registry.all().stream().filter(guest -> guest.run() != null).count());
    }

    /** Waits until the operations queued for a guest so far have run. */
    void awaitQueued(String name) throws VServerException {
        await(registry.find(name), () -> null);
    }

    /** Runs an operation on the guest's executor and waits for it. */
    private <T> T await(Guest guest, Callable<T> operation) throws VServerException {
        Future<T> future;
        try {
            future = guest.executor().submit(operation);
        } catch (RejectedExecutionException e) {
            throw new VServerException("guest " + guest.name() + " was removed, or the host is shutting down");
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VServerException failure) {
                throw failure;
            }
            throw new VServerException("guest " + guest.name() + ": operation failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VServerException("guest " + guest.name() + ": interrupted while waiting; the operation "
                    + "continues in the background");
        }
    }

    /** Re-applies changed policies to the running guests that list them, and starts guests that waited for them. */
    void policiesChanged(Set<String> names) {
        policyApplication.policiesChanged(names);
        startPendingAutostarts(false);
    }

    @Override
    public GuestSettings settings(String name) throws VServerException {
        Guest guest = registry.find(name);
        GuestRun run = guest.run();
        if (run != null) {
            // A running guest shows what it runs with, which a failed change may keep apart from the definition.
            GuestSpec spec = run.spec();
            List<String> missing = List.of();
            Map<String, String> pending = new TreeMap<>();
            try {
                GuestResolver.Resolution resolution = registry.resolve(guest);
                missing = resolution.missingPolicies();
                for (String key : SettingsUpdate.changedKeys(spec.settings(), resolution.spec().settings())) {
                    pending.put(key, resolution.spec().settings().getOrDefault(key, ""));
                }
            } catch (InvalidConfigurationException e) {
                LOG.debug("guest {}: definition invalid while it runs: {}", name, e.getMessage());
            }
            return new GuestSettings(name, spec.policies(), spec.settings(), spec.sources(), missing, pending);
        }
        GuestResolver.Resolution resolution = registry.resolve(guest);
        GuestSpec spec = resolution.spec();
        return new GuestSettings(name, spec.policies(), spec.settings(), spec.sources(),
                resolution.missingPolicies(), Map.of());
    }

    @Override
    public List<PolicyInfo> policies() {
        List<PolicyInfo> policies = new ArrayList<>();
        for (Map.Entry<String, PolicyRegistry.Lookup> entry : registry.policies().snapshot().entrySet()) {
            List<String> users = new ArrayList<>();
            for (Guest guest : registry.all()) {
                if (PolicyApplication.listsAny(guest, Set.of(entry.getKey()))) {
                    users.add(guest.name());
                }
            }
            String problem = entry.getValue().problem();
            for (PolicyRegistry.Definition definition : entry.getValue().all()) {
                policies.add(new PolicyInfo(definition.name(), definition.source(), definition.settings(), users,
                        problem));
            }
        }
        return policies;
    }

    @Override
    public PolicyInfo policy(String name) throws VServerException {
        for (PolicyInfo policy : policies()) {
            if (policy.name().equals(name)) {
                return policy;
            }
        }
        registry.policies().findDefined(name);
        throw new VServerException("policy " + name + " was withdrawn while it was read: try again");
    }

    @Override
    public List<PolicyOutcome> applyPolicy(String name, Map<String, String> overrides, boolean dryRun)
            throws VServerException {
        Map<String, String> changes = overrides == null ? Map.of() : overrides;
        if (dryRun) {
            return policyApplication.preview(name, changes);
        }
        if (!changes.isEmpty()) {
            throw new VServerException("policy " + name + ": a change given with the command can only be "
                    + "previewed with --dry-run; change the policy's file or bundle to apply it, or copy a policy "
                    + "of a bundle to etc/io.vserver.policy-NEWNAME.cfg and change it there");
        }
        registry.policies().findDefined(name);
        return policyApplication.reapply(Set.of(name)).outcomes();
    }

    @Override
    public List<PolicyReport> policyReports() {
        return policyApplication.reports();
    }
}
