package io.vserver.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;
import io.vserver.api.PolicyReport;

/** {@code vserver:policy-status}: the outcomes of the latest re-applications of changed policies. */
@Command(scope = "vserver", name = "policy-status", description = "Shows, newest first, how the latest policy changes "
        + "were re-applied to the running guests that list them: per guest and key applied, needs restart, or "
        + "rolled back with the reason.")
@Service
public class PolicyStatusCommand implements Action {

    @Reference
    private GuestManager manager;

    @Override
    public Object execute() {
        if (manager.policyReports().isEmpty()) {
            System.out.println("no policy has changed since the host started");
            return null;
        }
        for (PolicyReport report : manager.policyReports()) {
            String label = report.policies().size() == 1 ? "  policy " : "  policies ";
            System.out.println(report.finishedAt() + label + String.join(", ", report.policies()) + ":");
            for (String line : PolicyFormats.outcomes(report.outcomes(), false)) {
                System.out.println("  " + line);
            }
        }
        return null;
    }
}
