package io.vserver.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import io.vserver.api.IsolationElement;
import io.vserver.api.VServerHost;

/**
 * {@code vserver:host}: the host VM's directories and the isolation elements deployed.
 */
@Command(scope = "vserver", name = "host", description = "Shows the host VM's directories, its vcontext program and the deployed isolation elements.")
@Service
public class HostCommand implements Action {

    @Reference
    private VServerHost host;

    @Reference
    private BundleContext bundleContext;

    @Option(name = "--no-format", description = "Prints the element table without borders")
    private boolean noFormat;

    @Override
    public Object execute() throws InvalidSyntaxException {
        System.out.println("Data directory:   " + host.dataDirectory());
        System.out.println("Run directory:    " + host.runDirectory());
        System.out.println("vcontext program: " + host.vcontextProgram());
        System.out.println("Stop timeout:     " + host.stopTimeout().toSeconds() + " s");
        System.out.println();

        ShellTable table = new ShellTable();
        table.column("Element");
        table.column("Feature");
        table.column("Bundle");
        table.column("Keys");
        for (ServiceReference<IsolationElement> reference : elementReferences()) {
            IsolationElement element = bundleContext.getService(reference);
            if (element == null) {
                continue;
            }
            try {
                table.addRow().addContent(element.name(), element.feature(),
                        reference.getBundle().getSymbolicName() + " " + reference.getBundle().getVersion(),
                        String.join(", ", new TreeSet<>(element.ownedKeys())));
            } finally {
                bundleContext.ungetService(reference);
            }
        }
        table.print(System.out, !noFormat);
        return null;
    }

    private List<ServiceReference<IsolationElement>> elementReferences() throws InvalidSyntaxException {
        List<ServiceReference<IsolationElement>> references =
                new ArrayList<>(bundleContext.getServiceReferences(IsolationElement.class, null));
        references.sort(Comparator.comparing(reference ->
                String.valueOf(reference.getProperty(IsolationElement.SERVICE_PROPERTY_NAME))));
        return references;
    }
}
