package io.vserver.api;

import java.util.List;
import java.util.Map;

/**
 * A guest's effective configuration: its policies merged in order, then its own keys.
 *
 * @param guest the guest's name
 * @param policies the policies it lists, in merge order
 * @param values the effective value of every key
 * @param sources where each value comes from: {@code guest} or {@code policy NAME}
 * @param missingPolicies listed policies that are not defined now, so that their keys are left out
 * @param pending for a running guest, the keys whose new value waits for its next start, with that
 *                value. An empty value means that the key goes away.
 */
public record GuestSettings(String guest, List<String> policies, Map<String, String> values,
        Map<String, String> sources, List<String> missingPolicies, Map<String, String> pending) {

    public GuestSettings {
        policies = List.copyOf(policies);
        values = Map.copyOf(values);
        sources = Map.copyOf(sources);
        missingPolicies = List.copyOf(missingPolicies);
        pending = Map.copyOf(pending);
    }
}
