package io.vserver.host.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.List;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies defined as factory configurations of PID {@code io.vserver.policy}, such as the
 * file {@code etc/io.vserver.policy-web.cfg} for policy {@code web}. Each configuration is one
 * source of the policy registry, replaced when the configuration changes.
 */
final class ConfigAdminPolicies implements ConfigurationListener {

    static final String FACTORY_PID = "io.vserver.policy";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigAdminPolicies.class);

    private final ConfigurationAdmin configurationAdmin;
    private final PolicyRegistry registry;

    ConfigAdminPolicies(ConfigurationAdmin configurationAdmin, PolicyRegistry registry) {
        this.configurationAdmin = configurationAdmin;
        this.registry = registry;
    }

    /** Adds every policy configuration to the registry. */
    void loadAll() {
        for (Configuration configuration : list("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + FACTORY_PID
                + ")")) {
            load(configuration);
        }
    }

    private void load(Configuration configuration) {
        Dictionary<String, Object> properties = configuration.getProperties();
        String sourceId = "config:" + configuration.getPid();
        String name = ConfigAdminDefinitions.configurationName(FACTORY_PID, configuration.getPid(), properties);
        if (name == null || properties == null) {
            LOG.warn("Ignoring policy configuration {}: name it io.vserver.policy~NAME or put it in a file "
                    + "etc/io.vserver.policy-NAME.cfg", configuration.getPid());
            return;
        }
        String file = ConfigAdminDefinitions.fileOf(properties);
        String source = file != null ? file : "configuration " + configuration.getPid();
        registry.replace(sourceId, List.of(new PolicyRegistry.Definition(name,
                ConfigAdminDefinitions.guestKeys(properties), source, null)));
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (!FACTORY_PID.equals(event.getFactoryPid())) {
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            registry.replace("config:" + event.getPid(), List.of());
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_UPDATED) {
            for (Configuration configuration : list("(service.pid=" + event.getPid() + ")")) {
                load(configuration);
            }
        }
    }

    private Configuration[] list(String filter) {
        try {
            Configuration[] configurations = configurationAdmin.listConfigurations(filter);
            return configurations == null ? new Configuration[0] : configurations;
        } catch (IOException | InvalidSyntaxException e) {
            LOG.error("Cannot list the policy configurations ({}): {}", filter, e.getMessage(), e);
            return new Configuration[0];
        }
    }
}
