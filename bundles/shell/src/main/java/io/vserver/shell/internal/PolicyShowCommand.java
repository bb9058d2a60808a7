package io.vserver.shell.internal;

import java.util.Map;
import java.util.TreeMap;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestManager;
import io.vserver.api.PolicyInfo;

/** {@code vserver:policy-show}: one policy's keys, source and guests. */
@Command(scope = "vserver", name = "policy-show", description = "Shows a policy: where it is defined, the keys and "
        + "values it sets, the guests that list it, and why guests cannot use it, if they cannot.")
@Service
public class PolicyShowCommand implements Action {

    @Reference
    private GuestManager manager;

    @Argument(index = 0, name = "name", required = true, description = "The name of the policy")
    private String name;

    @Override
    public Object execute() throws Exception {
        PolicyInfo policy = Operations.value(() -> manager.policy(name));
        System.out.println("Name:     " + policy.name());
        System.out.println("Source:   " + policy.source());
        System.out.println("Guests:   " + DisplayFormats.join(policy.guests()));
        if (policy.problem() != null) {
            System.out.println("Problem:  " + policy.problem());
        }
        System.out.println("Keys:");
        for (Map.Entry<String, String> key : new TreeMap<>(policy.settings()).entrySet()) {
            System.out.println("  " + key.getKey() + " = " + key.getValue());
        }
        return null;
    }
}
