package io.vserver.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one re-application of changed policies to the running guests that use them.
 *
 * @param policies the names of the policies that changed
 * @param finishedAt when the re-application ended
 * @param outcomes one entry per running guest that uses a changed policy, sorted by guest name
 */
public record PolicyReport(List<String> policies, Instant finishedAt, List<PolicyOutcome> outcomes) {

    public PolicyReport {
        policies = List.copyOf(policies);
        Objects.requireNonNull(finishedAt, "finishedAt");
        outcomes = List.copyOf(outcomes);
    }
}
