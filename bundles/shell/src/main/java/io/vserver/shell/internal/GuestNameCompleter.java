package io.vserver.shell.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestStatus;

/**
 * Completes the names of defined guests. Subclasses narrow the candidates by state.
 */
@Service
public class GuestNameCompleter implements Completer {

    @Reference
    private GuestManager manager;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> names = manager.list().stream()
                .filter(this::accepts)
                .map(GuestStatus::name)
                .collect(Collectors.toList());
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }

    /** Returns whether the guest's name is a candidate. This class accepts every defined guest. */
    protected boolean accepts(GuestStatus guest) {
        return true;
    }
}
