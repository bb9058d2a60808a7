package io.vserver.host.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.FailureReason;
import io.vserver.api.FailureReason.Code;
import io.vserver.api.GuestSpec;
import io.vserver.api.IsolationElement;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;

/**
 * Changes the configuration of a guest: validates it, applies it to the running guest through
 * the elements' {@code update}, and stores it only when every element accepted it. Both
 * {@code GuestManager.updateSettings} and edits of the definition file go through
 * {@link #applyToRun}. Runs on the guest's executor.
 */
final class SettingsUpdate {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsUpdate.class);

    /**
     * Host keys whose change applies to a running guest: the host reads autostart and restart
     * whenever it needs them, and a change of policies reaches the elements as changes of their keys.
     */
    static final Set<String> LIVE_HOST_KEYS = Set.of(GuestResolver.AUTOSTART, GuestResolver.RESTART,
            GuestResolver.POLICIES);

    private SettingsUpdate() {
    }

    /**
     * Merges {@code changes} into the guest's definition (an empty value removes the key),
     * validates the result, applies it to the running guest and stores it.
     *
     * @return the outcome by key, for the keys whose value changed
     * @throws VServerException when the new configuration is invalid, an element failed to apply
     *     it (the elements that applied it were updated back), or it could not be stored
     */
    static Map<String, UpdateOutcome> update(GuestRegistry registry, Guest guest, Map<String, String> changes)
            throws VServerException {
        Map<String, String> previous = guest.definition();
        Map<String, String> merged = merge(previous, changes);
        if (merged.equals(previous)) {
            return Map.of();
        }
        GuestResolver.Resolution resolution = registry.resolve(guest, merged);
        resolution.requirePolicies();
        GuestRun run = guest.run();
        if (run == null) {
            store(registry, guest, previous, merged);
            guest.xid(resolution.spec().xid());
            FailureReason failure = guest.failure();
            if (failure != null && failure.code() == Code.INVALID_CONFIGURATION) {
                guest.failure(null);
            }
            Map<String, UpdateOutcome> outcomes = new TreeMap<>();
            for (String key : changedKeys(previous, merged)) {
                outcomes.put(key, UpdateOutcome.NEEDS_RESTART);
            }
            LOG.info("guest {}: configuration changed, effective at the next start: {}", guest.name(), outcomes);
            return outcomes;
        }
        GuestSpec old = run.spec();
        Map<String, UpdateOutcome> outcomes = applyToRun(guest, run, resolution.spec(), registry.elements());
        try {
            store(registry, guest, previous, merged);
        } catch (VServerException e) {
            rollBack(guest, run, resolution.spec(), old, run.elements(), registry.elements());
            throw e;
        }
        run.spec(runningSpec(old, resolution.spec(), outcomes));
        LOG.info("guest {}: configuration changed: {}", guest.name(), outcomes);
        return outcomes;
    }

    /** Stores a definition, setting it on the guest first so that the store's change event finds nothing new. */
    private static void store(GuestRegistry registry, Guest guest, Map<String, String> previous,
            Map<String, String> merged) throws VServerException {
        guest.definition(merged);
        try {
            registry.store().update(guest.name(), merged);
        } catch (VServerException | RuntimeException e) {
            guest.definition(previous);
            throw e;
        }
    }

    /**
     * Applies a validated configuration to a running guest, element by element in the order
     * the guest was prepared, and returns the outcome of each changed key. Does not change the
     * run's spec: the caller sets it once the change is final.
     *
     * @throws VServerException naming the failed element's key and reason, after the elements
     *     that had applied the change were updated back to the run's current spec
     */
    static Map<String, UpdateOutcome> applyToRun(Guest guest, GuestRun run, GuestSpec updated,
            ElementRegistry elements) throws VServerException {
        GuestSpec current = run.spec();
        RunningGuest running = run.runningGuest();
        Map<String, UpdateOutcome> outcomes = new TreeMap<>();
        List<String> applied = new ArrayList<>();
        for (String elementName : run.elements()) {
            Optional<IsolationElement> element = elements.find(elementName);
            if (element.isEmpty()) {
                continue;
            }
            Map<String, UpdateOutcome> elementOutcomes;
            try {
                elementOutcomes = element.get().update(running, updated);
            } catch (VServerException | RuntimeException e) {
                rollBack(guest, run, updated, current, applied, elements);
                String undone = applied.isEmpty() ? "" : "; elements " + applied + " were set back";
                throw new VServerException("guest " + guest.name() + ": element " + elementName
                        + " failed to apply the change, so the running guest keeps its current settings: "
                        + e.getMessage() + undone, e);
            }
            outcomes.putAll(elementOutcomes);
            // An element that reports no changed key has nothing to set back.
            if (!elementOutcomes.isEmpty()) {
                applied.add(elementName);
            }
        }
        addHostOutcomes(current, updated, outcomes);
        return outcomes;
    }

    /**
     * Adds the outcome of each changed key that no element reported: the keys of elements that
     * are not deployed and the host's own keys, which apply live only when in {@link #LIVE_HOST_KEYS}.
     */
    static void addHostOutcomes(GuestSpec current, GuestSpec updated, Map<String, UpdateOutcome> outcomes) {
        for (String key : changedKeys(current.settings(), updated.settings())) {
            outcomes.putIfAbsent(key, LIVE_HOST_KEYS.contains(key) ? UpdateOutcome.APPLIED : UpdateOutcome.NEEDS_RESTART);
        }
    }

    /** Returns {@code base} with {@code changes} set, where an empty or null value removes the key. */
    static Map<String, String> merge(Map<String, String> base, Map<String, String> changes) {
        Map<String, String> merged = new TreeMap<>(base);
        for (Map.Entry<String, String> change : changes.entrySet()) {
            if (change.getValue() == null || change.getValue().isEmpty()) {
                merged.remove(change.getKey());
            } else {
                merged.put(change.getKey(), change.getValue());
            }
        }
        return merged;
    }

    /** Updates the named elements from {@code from} back to {@code to}, last applied first. */
    private static void rollBack(Guest guest, GuestRun run, GuestSpec from, GuestSpec to, List<String> applied,
            ElementRegistry elements) {
        RunningGuest changed = new RunningGuest(run.record(), from, run.init().pid(), run.init().startTime());
        for (int i = applied.size() - 1; i >= 0; i--) {
            String elementName = applied.get(i);
            Optional<IsolationElement> element = elements.find(elementName);
            if (element.isEmpty()) {
                continue;
            }
            try {
                element.get().update(changed, to);
            } catch (VServerException | RuntimeException e) {
                LOG.error("guest {}: element {} failed to set back its keys after a failed change; the running "
                        + "guest may keep part of the change until it restarts", guest.name(), elementName, e);
            }
        }
    }

    /**
     * Returns the spec a running guest has after a change. It is the updated spec, except that
     * each key whose change waits for a restart keeps its current value. Status then shows what
     * runs, and the next change is compared with what runs.
     */
    static GuestSpec runningSpec(GuestSpec current, GuestSpec updated, Map<String, UpdateOutcome> outcomes) {
        Map<String, String> settings = new TreeMap<>(updated.settings());
        Map<String, String> sources = new TreeMap<>(updated.sources());
        for (Map.Entry<String, UpdateOutcome> outcome : outcomes.entrySet()) {
            if (outcome.getValue() != UpdateOutcome.NEEDS_RESTART) {
                continue;
            }
            String key = outcome.getKey();
            String value = current.settings().get(key);
            if (value == null) {
                settings.remove(key);
                sources.remove(key);
            } else {
                settings.put(key, value);
                sources.put(key, current.sources().getOrDefault(key, "guest"));
            }
        }
        return new GuestSpec(updated.name(), current.xid(), updated.policies(), settings, sources);
    }

    /** Returns the keys whose values differ between two configurations, sorted. */
    static Set<String> changedKeys(Map<String, String> before, Map<String, String> after) {
        Set<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        keys.removeIf(key -> Objects.equals(before.get(key), after.get(key)));
        return keys;
    }
}
