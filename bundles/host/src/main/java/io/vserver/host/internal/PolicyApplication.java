package io.vserver.host.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.PolicyOutcome;
import io.vserver.api.PolicyReport;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;

/**
 * Re-applies changed policies to the running guests that list them: each guest's effective
 * configuration is resolved again and applied as one change-set through the elements, which
 * set back what they had applied when one of them fails. Changes that arrive close together
 * are applied once, after a short delay, and a withdrawn policy waits longer, so that the stop
 * and start of a bundle update count as one change.
 */
final class PolicyApplication implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyApplication.class);

    /** How long changes are collected before they are applied. */
    static final long DELAY_MILLIS = 150;

    /**
     * How long a policy that disappeared may take to come back before its guests fall back to
     * their other sources: a bundle update stops the bundle and starts the new version, which
     * can take longer than {@link #DELAY_MILLIS} on a loaded host.
     */
    static final long WITHDRAWAL_DELAY_MILLIS = 2000;

    private static final int KEPT_REPORTS = 20;

    private final GuestRegistry registry;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "vserver-policy-apply");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<String> pending = new TreeSet<>();
    private final Set<String> withdrawn = new TreeSet<>();
    private ScheduledFuture<?> soon;
    private ScheduledFuture<?> late;
    private final Deque<PolicyReport> reports = new ArrayDeque<>();

    PolicyApplication(GuestRegistry registry) {
        this.registry = registry;
    }

    /**
     * Schedules the re-application of the named policies: of those defined now after
     * {@link #DELAY_MILLIS}, and of those withdrawn after {@link #WITHDRAWAL_DELAY_MILLIS},
     * unless they come back before.
     */
    void policiesChanged(Set<String> names) {
        synchronized (pending) {
            for (String name : names) {
                if (registry.policies().find(name).missing()) {
                    pending.remove(name);
                    withdrawn.add(name);
                } else {
                    withdrawn.remove(name);
                    pending.add(name);
                }
            }
            try {
                if (!pending.isEmpty() && soon == null) {
                    soon = scheduler.schedule(() -> applyPending(false), DELAY_MILLIS, TimeUnit.MILLISECONDS);
                }
                if (!withdrawn.isEmpty() && late == null) {
                    late = scheduler.schedule(() -> applyPending(true), WITHDRAWAL_DELAY_MILLIS,
                            TimeUnit.MILLISECONDS);
                }
            } catch (RejectedExecutionException e) {
                LOG.debug("Policy change of {} not applied: the host is shutting down", names);
            }
        }
    }

    private void applyPending(boolean withdrawals) {
        Set<String> names;
        synchronized (pending) {
            Set<String> source = withdrawals ? withdrawn : pending;
            names = new TreeSet<>(source);
            source.clear();
            if (withdrawals) {
                late = null;
            } else {
                soon = null;
            }
        }
        if (!names.isEmpty()) {
            reapply(names);
        }
    }

    /** Re-applies the named policies to every running guest that lists one of them, and returns the report. */
    PolicyReport reapply(Set<String> names) {
        long started = System.nanoTime();
        List<Future<PolicyOutcome>> futures = new ArrayList<>();
        for (Guest guest : usersOf(names)) {
            try {
                futures.add(guest.executor().submit(() -> reapply(guest)));
            } catch (RejectedExecutionException e) {
                LOG.debug("guest {}: removed before the policy change reached it", guest.name());
            }
        }
        List<PolicyOutcome> outcomes = new ArrayList<>();
        for (Future<PolicyOutcome> future : futures) {
            try {
                PolicyOutcome outcome = future.get();
                if (outcome != null) {
                    outcomes.add(outcome);
                }
            } catch (ExecutionException e) {
                LOG.error("Policy change failed unexpectedly", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        outcomes.sort((a, b) -> a.guest().compareTo(b.guest()));
        PolicyReport report = new PolicyReport(List.copyOf(names), Instant.now(), outcomes);
        synchronized (reports) {
            reports.addFirst(report);
            while (reports.size() > KEPT_REPORTS) {
                reports.removeLast();
            }
        }
        long failed = outcomes.stream().filter(outcome -> outcome.error() != null).count();
        LOG.info("Policies {} re-applied to {} running guests in {} ms, {} of them refused or rolled back", names,
                outcomes.size(), (System.nanoTime() - started) / 1_000_000, failed);
        return report;
    }

    /** Returns the running guests whose definition lists one of the policies, sorted by name. */
    List<Guest> usersOf(Set<String> names) {
        List<Guest> users = new ArrayList<>();
        for (Guest guest : registry.all()) {
            if (guest.run() != null && listsAny(guest, names)) {
                users.add(guest);
            }
        }
        return users;
    }

    /** Returns whether the guest's definition lists one of the policies. */
    static boolean listsAny(Guest guest, Set<String> names) {
        try {
            List<String> listed = GuestResolver.parsePolicies("guest " + guest.name(),
                    guest.definition().get(GuestResolver.POLICIES));
            return listed.stream().anyMatch(names::contains);
        } catch (InvalidConfigurationException e) {
            return false;
        }
    }

    /** Applies the guest's newly resolved configuration; runs on the guest's executor. */
    private PolicyOutcome reapply(Guest guest) {
        GuestRun run = guest.run();
        if (run == null) {
            return null;
        }
        GuestResolver.Resolution resolution;
        try {
            resolution = registry.resolve(guest);
        } catch (InvalidConfigurationException e) {
            LOG.error("guest {}: policy change refused, the guest keeps its settings: {}", guest.name(),
                    e.getMessage());
            return new PolicyOutcome(guest.name(), Map.of(), e.getMessage());
        }
        if (!resolution.missingPolicies().isEmpty()) {
            LOG.warn("guest {}: policies {} are not defined any more; their keys are left out", guest.name(),
                    resolution.missingPolicies());
        }
        GuestSpec updated = resolution.spec();
        if (updated.settings().equals(run.spec().settings())) {
            return new PolicyOutcome(guest.name(), Map.of(), null);
        }
        Set<String> changed = SettingsUpdate.changedKeys(run.spec().settings(), updated.settings());
        try {
            Map<String, UpdateOutcome> outcomes = SettingsUpdate.applyToRun(guest, run, updated, registry.elements());
            run.spec(SettingsUpdate.runningSpec(run.spec(), updated, outcomes));
            LOG.info("guest {}: policy change applied: {}", guest.name(), outcomes);
            return new PolicyOutcome(guest.name(), outcomes, null);
        } catch (VServerException e) {
            Map<String, UpdateOutcome> rolledBack = new TreeMap<>();
            changed.forEach(key -> rolledBack.put(key, UpdateOutcome.ROLLED_BACK));
            LOG.error("guest {}: policy change rolled back: {}", guest.name(), e.getMessage());
            return new PolicyOutcome(guest.name(), rolledBack, e.getMessage());
        }
    }

    /**
     * Reports for every running guest that lists the policy what its definition with
     * {@code overrides} would do, changing nothing.
     */
    List<PolicyOutcome> preview(String name, Map<String, String> overrides) throws VServerException {
        PolicyRegistry.Lookup lookup = registry.policies().findDefined(name);
        PolicyRegistry changed = registry.policies();
        if (!overrides.isEmpty()) {
            Map<String, String> settings = SettingsUpdate.merge(lookup.all().get(0).settings(), overrides);
            changed = registry.policies().withDefinition(name, settings);
            String problem = changed.find(name).problem();
            if (problem != null) {
                throw new VServerException("the previewed change of policy " + name + " is invalid: " + problem);
            }
        }
        List<PolicyOutcome> outcomes = new ArrayList<>();
        for (Guest guest : usersOf(Set.of(name))) {
            outcomes.add(preview(guest, changed));
        }
        return outcomes;
    }

    private PolicyOutcome preview(Guest guest, PolicyRegistry policies) {
        GuestRun run = guest.run();
        if (run == null) {
            return new PolicyOutcome(guest.name(), Map.of(), null);
        }
        GuestSpec updated;
        try {
            updated = registry.resolve(guest, guest.definition(), policies).spec();
        } catch (InvalidConfigurationException e) {
            return new PolicyOutcome(guest.name(), Map.of(), e.getMessage());
        }
        RunningGuest running = run.runningGuest();
        Map<String, UpdateOutcome> outcomes = new TreeMap<>();
        for (String elementName : run.elements()) {
            Optional<IsolationElement> element = registry.elements().find(elementName);
            if (element.isEmpty()) {
                continue;
            }
            try {
                outcomes.putAll(element.get().preview(running, updated));
            } catch (VServerException | RuntimeException e) {
                return new PolicyOutcome(guest.name(), Map.of(), "element " + elementName + " would refuse it: "
                        + e.getMessage());
            }
        }
        SettingsUpdate.addHostOutcomes(run.spec(), updated, outcomes);
        return new PolicyOutcome(guest.name(), outcomes, null);
    }

    /** Returns the kept reports, newest first. */
    List<PolicyReport> reports() {
        synchronized (reports) {
            return List.copyOf(reports);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
