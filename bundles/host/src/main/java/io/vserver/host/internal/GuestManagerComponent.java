package io.vserver.host.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestProcess;
import io.vserver.api.GuestStats;
import io.vserver.api.GuestStatus;
import io.vserver.api.PolicyReport;
import io.vserver.api.PolicyOutcome;
import io.vserver.api.PolicyInfo;
import io.vserver.api.GuestSettings;
import io.vserver.api.IsolationElement;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.api.VServerHost;

/**
 * Registers the {@link GuestManager}: loads the guest definitions (factory configurations of
 * PID {@code io.vserver.guest}), re-adopts running guests, starts those with autostart=true
 * and follows edits of the definitions. Deactivation (bundle stop or update, Karaf shutdown)
 * leaves every guest running.
 */
@Component(service = GuestManager.class, configurationPid = "io.vserver.host",
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public class GuestManagerComponent implements GuestManager {

    private static final Logger LOG = LoggerFactory.getLogger(GuestManagerComponent.class);

    private final ElementRegistry elements = new ElementRegistry();

    @Reference
    private VServerHost host;

    @Reference
    private ConfigurationAdmin configurationAdmin;

    private volatile GuestService service;
    private ServiceRegistration<ConfigurationListener> listenerRegistration;
    private ServiceRegistration<ConfigurationListener> policyListenerRegistration;
    private PolicyBundles policyBundles;

    /**
     * Opens the guest service. DS binds the elements deployed at this time before it calls
     * this method, so re-adoption and autostart see them.
     */
    @Activate
    void activate(BundleContext context, HostConfiguration configuration) throws IOException, VServerException {
        HostSettings settings = new HostSettings(host.dataDirectory(), host.runDirectory(), host.vcontextProgram(),
                host.stopTimeout(), configuration.cgroupParent());
        String etc = context.getProperty("karaf.etc");
        ConfigAdminDefinitions definitions = new ConfigAdminDefinitions(configurationAdmin,
                etc == null ? null : Path.of(etc));
        PolicyRegistry policies = new PolicyRegistry(elements);
        ConfigAdminPolicies policyConfigurations = new ConfigAdminPolicies(configurationAdmin, policies);
        policyConfigurations.loadAll();
        policyBundles = new PolicyBundles(context, policies);
        policyBundles.open();
        GuestService opened = new GuestService(settings, definitions, elements, policies);
        policies.addListener(opened::policiesChanged);
        definitions.setListener(opened.definitionListener());
        listenerRegistration = context.registerService(ConfigurationListener.class, definitions, null);
        policyListenerRegistration = context.registerService(ConfigurationListener.class, policyConfigurations,
                null);
        try {
            opened.open();
        } catch (VServerException | RuntimeException e) {
            listenerRegistration.unregister();
            policyListenerRegistration.unregister();
            policyBundles.close();
            opened.close();
            throw e;
        }
        service = opened;
        LOG.info("VServer guest manager started: {} guests defined, cgroup parent {}", opened.list().size(),
                settings.cgroupParent());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addElement(IsolationElement element) {
        elements.add(element);
        LOG.info("Isolation element {} deployed", element.name());
        GuestService current = service;
        if (current != null) {
            current.elementsChanged();
        }
    }

    void removeElement(IsolationElement element) {
        elements.remove(element);
        LOG.info("Isolation element {} removed; running guests keep what it made", element.name());
    }

    @Deactivate
    void deactivate() {
        listenerRegistration.unregister();
        policyListenerRegistration.unregister();
        policyBundles.close();
        service.close();
    }

    @Override
    public GuestStatus create(String name, Map<String, String> settings, List<String> policies)
            throws VServerException {
        return service.create(name, settings, policies);
    }

    @Override
    public void destroy(String name, boolean force) throws VServerException {
        service.destroy(name, force);
    }

    @Override
    public GuestStatus start(String name) throws VServerException {
        return service.start(name);
    }

    @Override
    public GuestStatus stop(String name, Duration timeout) throws VServerException {
        return service.stop(name, timeout);
    }

    @Override
    public GuestStatus restart(String name) throws VServerException {
        return service.restart(name);
    }

    @Override
    public void kill(String name, String signal) throws VServerException {
        service.kill(name, signal);
    }

    @Override
    public List<GuestStatus> list() {
        return service.list();
    }

    @Override
    public GuestStatus status(String name) throws VServerException {
        return service.status(name);
    }

    @Override
    public Process exec(String name, List<String> command) throws VServerException {
        return service.exec(name, command);
    }

    @Override
    public List<GuestStats> stats() {
        return service.stats();
    }

    @Override
    public Map<String, UpdateOutcome> updateSettings(String name, Map<String, String> changes)
            throws VServerException {
        return service.updateSettings(name, changes);
    }

    @Override
    public List<GuestProcess> processes(String name) throws VServerException {
        return service.processes(name);
    }

    @Override
    public List<GuestProcess> allProcesses() {
        return service.allProcesses();
    }

    @Override
    public Process spectate(List<String> command) throws VServerException {
        return service.spectate(command);
    }

    @Override
    public GuestSettings settings(String name) throws VServerException {
        return service.settings(name);
    }

    @Override
    public List<PolicyInfo> policies() {
        return service.policies();
    }

    @Override
    public PolicyInfo policy(String name) throws VServerException {
        return service.policy(name);
    }

    @Override
    public List<PolicyOutcome> applyPolicy(String name, Map<String, String> overrides, boolean dryRun)
            throws VServerException {
        return service.applyPolicy(name, overrides, dryRun);
    }

    @Override
    public List<PolicyReport> policyReports() {
        return service.policyReports();
    }
}
