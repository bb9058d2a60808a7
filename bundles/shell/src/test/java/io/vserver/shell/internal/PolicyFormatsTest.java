package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.Test;

import io.vserver.api.PolicyOutcome;
import io.vserver.api.UpdateOutcome;

public class PolicyFormatsTest {

    @Test
    public void appliedAndRolledBackLines() {
        List<PolicyOutcome> outcomes = List.of(
                new PolicyOutcome("fat", new TreeMap<>(Map.of("limits.cpu", UpdateOutcome.ROLLED_BACK)),
                        "limits.memory: device busy"),
                new PolicyOutcome("slim", new TreeMap<>(Map.of("limits.cpu", UpdateOutcome.APPLIED,
                        "limits.rlimit.nofile", UpdateOutcome.NEEDS_RESTART)), null));

        assertEquals(List.of("fat: limits.cpu rolled back", "fat: reason: limits.memory: device busy",
                "slim: limits.cpu applied", "slim: limits.rlimit.nofile needs restart"),
                PolicyFormats.outcomes(outcomes, false));
    }

    @Test
    public void dryRunLines() {
        List<PolicyOutcome> outcomes = List.of(
                new PolicyOutcome("calm", Map.of("limits.memory", UpdateOutcome.APPLIED), null),
                new PolicyOutcome("odd", Map.of(), "missing key 'network.address'"),
                new PolicyOutcome("same", Map.of(), null));

        assertEquals(List.of("calm: limits.memory would apply live",
                "odd: would be refused: missing key 'network.address'", "same: unchanged"),
                PolicyFormats.outcomes(outcomes, true));
    }

    @Test
    public void noGuestLine() {
        assertEquals(List.of("no running guest lists the policy"), PolicyFormats.outcomes(List.of(), true));
    }
}
