package io.vserver.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One isolation element (fs, context, network, capabilities, limits), registered as an
 * OSGi service by its own bundle. The host composes whichever elements are deployed and
 * treats an element that is not deployed as a missing requirement of the guests that need it.
 *
 * <p>Kernel state an element makes for a guest (mounts, cgroups, pinned BPF links) must
 * outlive the element's bundle: stopping or updating the bundle never disturbs a running
 * guest, and a new instance of the element takes the state over.
 */
public interface IsolationElement {

    /** Service property that carries {@link #name()}, so the host can filter by element. */
    String SERVICE_PROPERTY_NAME = "vserver.element";

    /**
     * Returns the element's name, for example {@code fs} or {@code network}.
     */
    String name();

    /**
     * Returns the Karaf feature that deploys this element, named in the status of a guest
     * that needs the element while it is not installed.
     */
    String feature();

    /**
     * Returns the guest configuration keys this element owns, as exact keys
     * ({@code hostname}) or prefixes ending in a dot ({@code limits.rlimit.}).
     */
    Set<String> ownedKeys();

    /**
     * Returns true when {@code key} is one of {@link #ownedKeys()} or falls under one of
     * its prefixes.
     */
    default boolean owns(String key) {
        for (String owned : ownedKeys()) {
            if (owned.endsWith(".") ? key.startsWith(owned) : key.equals(owned)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns true when {@code spec} needs this element. By default a guest needs the
     * element when it sets one of the element's keys; elements every guest needs return true.
     */
    default boolean isRequiredBy(GuestSpec spec) {
        return spec.settings().keySet().stream().anyMatch(this::owns);
    }

    /**
     * Checks the values of the keys this element owns, without touching the kernel.
     *
     * @throws InvalidConfigurationException naming the key, the value and the accepted form
     */
    void validate(GuestSpec spec) throws InvalidConfigurationException;

    /**
     * Adds this element's part to {@code plan} and performs host-side preparation that does
     * not need the init's pid. A failure here must leave nothing behind that
     * {@link #release(GuestRecord)} would not remove.
     */
    void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException;

    /**
     * Finishes host-side steps that need the init's pid, before the init continues to its
     * exec. The init is already in the guest's cgroups.
     */
    default void attach(RunningGuest guest) throws VServerException {
    }

    /**
     * Applies a configuration change of the keys this element owns to a running guest and
     * returns the outcome for each changed key. By default every change waits for a restart.
     */
    default Map<String, UpdateOutcome> update(RunningGuest guest, GuestSpec updated) throws VServerException {
        return defaultOutcomes(guest, updated);
    }

    /**
     * Reports what {@link #update} would do with {@code updated}, changing nothing: the outcome
     * of each changed key this element owns. By default every change waits for a restart,
     * like the default {@code update}.
     *
     * @throws VServerException when the element would refuse the change, naming the key and reason
     */
    default Map<String, UpdateOutcome> preview(RunningGuest guest, GuestSpec updated) throws VServerException {
        return defaultOutcomes(guest, updated);
    }

    /** Returns {@link UpdateOutcome#NEEDS_RESTART} for every owned key whose value differs. */
    default Map<String, UpdateOutcome> defaultOutcomes(RunningGuest guest, GuestSpec updated) {
        Map<String, UpdateOutcome> outcomes = new LinkedHashMap<>();
        for (String key : updated.settings().keySet()) {
            if (owns(key) && !updated.settings().get(key).equals(guest.spec().settings().get(key))) {
                outcomes.put(key, UpdateOutcome.NEEDS_RESTART);
            }
        }
        for (String key : guest.spec().settings().keySet()) {
            if (owns(key) && !updated.settings().containsKey(key)) {
                outcomes.put(key, UpdateOutcome.NEEDS_RESTART);
            }
        }
        return outcomes;
    }

    /**
     * Removes what this element made for the guest. Idempotent: it also runs on the
     * leftovers of a guest that died while the host was down, and on a failed start.
     */
    void release(GuestRecord record) throws VServerException;
}
