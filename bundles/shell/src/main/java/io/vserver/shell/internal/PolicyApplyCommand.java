package io.vserver.shell.internal;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;
import io.vserver.api.PolicyOutcome;

/**
 * {@code vserver:policy-apply}: applies a policy to the running guests that list it, or with
 * {@code --dry-run} prints what it would do.
 */
@Command(scope = "vserver", name = "policy-apply", description = "Applies a policy's current definition to every "
        + "running guest that lists it and prints the outcome per guest and key: applied, needs restart, or rolled "
        + "back with the reason. With --dry-run it changes nothing and prints what would apply live, what would need "
        + "a restart and which guests would refuse the change; --set KEY=VALUE previews a change of the policy.")
@Service
public class PolicyApplyCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "name", required = true, description = "The name of the policy")
    private String name;

    @Option(name = "--dry-run", description = "Prints what would happen and changes nothing")
    private boolean dryRun;

    @Option(name = "--set", multiValued = true, description = "KEY=VALUE to preview on top of the policy "
            + "(an empty value removes the key); only with --dry-run")
    private List<String> settings;

    @Override
    public Object execute() throws Exception {
        Map<String, String> overrides = KeyValueOptions.parse("--set", settings);
        List<PolicyOutcome> outcomes = Operations.value(() -> manager.applyPolicy(name, overrides, dryRun));
        for (String line : PolicyFormats.outcomes(outcomes, dryRun)) {
            System.out.println(line);
        }
        return null;
    }
}
