package io.vserver.api;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;

/**
 * The effect of a policy change on one running guest, or in a dry run the effect it would have.
 *
 * @param guest the guest's name
 * @param outcomes the outcome by changed key, sorted by key: {@code APPLIED} (or would apply live),
 *                 {@code NEEDS_RESTART}, or {@code ROLLED_BACK} when the change failed on this guest
 * @param error why the change was refused or rolled back on this guest, or null when it was not
 */
public record PolicyOutcome(String guest, Map<String, UpdateOutcome> outcomes, String error) {

    public PolicyOutcome {
        Objects.requireNonNull(guest, "guest");
        outcomes = Collections.unmodifiableMap(new TreeMap<>(outcomes));
    }
}
