package io.vserver.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

import io.vserver.api.GuestManager;
import io.vserver.api.PolicyInfo;

/** {@code vserver:policy-list}: the defined policies with their source and the guests that list them. */
@Command(scope = "vserver", name = "policy-list", description = "Lists the defined policies: their name, where each "
        + "is defined (a file in etc/ or a policy bundle), how many keys it sets, the guests that list it, and why "
        + "guests cannot use it, if they cannot (defined twice, or a bad key or value).")
@Service
public class PolicyListCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--no-format", description = "Prints the table without borders")
    private boolean noFormat;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Name");
        table.column("Source");
        table.column("Keys").alignRight();
        table.column("Guests");
        table.column("Problem");
        table.emptyTableText("no policy defined: add etc/io.vserver.policy-NAME.cfg or install a policy bundle");
        for (PolicyInfo policy : manager.policies()) {
            table.addRow().addContent(policy.name(), policy.source(), policy.settings().size(),
                    DisplayFormats.join(policy.guests()), policy.problem() == null ? "" : policy.problem());
        }
        table.print(System.out, !noFormat);
        return null;
    }
}
