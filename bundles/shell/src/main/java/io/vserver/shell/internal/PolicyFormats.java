package io.vserver.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vserver.api.PolicyOutcome;
import io.vserver.api.UpdateOutcome;

/** Text of the policy commands: one line per guest and key. */
final class PolicyFormats {

    private PolicyFormats() {
    }

    /**
     * Returns the lines of a policy change's outcomes: {@code GUEST: KEY applied} per key, or
     * {@code GUEST: refused: REASON} and {@code GUEST: KEY rolled back} with the reason.
     *
     * @param dryRun whether to word the outcomes as what would happen
     */
    static List<String> outcomes(List<PolicyOutcome> outcomes, boolean dryRun) {
        List<String> lines = new ArrayList<>();
        if (outcomes.isEmpty()) {
            lines.add("no running guest lists the policy");
            return lines;
        }
        for (PolicyOutcome outcome : outcomes) {
            if (outcome.error() != null && outcome.outcomes().isEmpty()) {
                lines.add(outcome.guest() + ": " + (dryRun ? "would be refused: " : "refused: ") + outcome.error());
                continue;
            }
            if (outcome.outcomes().isEmpty()) {
                lines.add(outcome.guest() + ": unchanged");
            }
            for (Map.Entry<String, UpdateOutcome> key : outcome.outcomes().entrySet()) {
                lines.add(outcome.guest() + ": " + key.getKey() + " " + describe(key.getValue(), dryRun));
            }
            if (outcome.error() != null) {
                lines.add(outcome.guest() + ": reason: " + outcome.error());
            }
        }
        return lines;
    }

    private static String describe(UpdateOutcome outcome, boolean dryRun) {
        return switch (outcome) {
            case APPLIED -> dryRun ? "would apply live" : "applied";
            case NEEDS_RESTART -> dryRun ? "would need a restart" : "needs restart";
            case ROLLED_BACK -> "rolled back";
        };
    }
}
