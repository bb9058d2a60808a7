package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.Reader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;

import io.vserver.api.VServerException;

public class ConfigAdminDefinitionsTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    /** Stored configurations by pid; a pid maps to null until its first update. */
    private final Map<String, Hashtable<String, Object>> stored = new TreeMap<>();
    private final List<String> events = new ArrayList<>();
    private Path etc;
    private ConfigAdminDefinitions definitions;

    @Before
    public void setUp() throws Exception {
        etc = folder.newFolder("etc").toPath();
        definitions = new ConfigAdminDefinitions(fakeConfigurationAdmin(), etc);
        definitions.setListener(new DefinitionStore.Listener() {
            @Override
            public void definitionChanged(String name, Map<String, String> keys) {
                events.add("changed " + name + " " + keys);
            }

            @Override
            public void definitionDeleted(String name) {
                events.add("deleted " + name);
            }
        });
    }

    @Test
    public void createWritesCfgFile() throws Exception {
        Map<String, String> keys = Map.of("image", "dir:/srv/web1", "init", "/bin/sh -c 'a=b'", "context", "2");

        definitions.create("web1", keys);

        Path file = etc.resolve("io.vserver.guest-web1.cfg");
        Properties read = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            read.load(reader);
        }
        assertEquals(keys, new TreeMap<>(read));
        Hashtable<String, Object> configuration = stored.get("io.vserver.guest~web1");
        assertEquals(file.toFile().toURI().toString(), configuration.get("felix.fileinstall.filename"));
        assertEquals("dir:/srv/web1", configuration.get("image"));
    }

    @Test
    public void createRejectsExistingGuest() throws Exception {
        definitions.create("web1", Map.of("context", "2"));

        VServerException e = assertThrows(VServerException.class,
                () -> definitions.create("web1", Map.of("context", "3")));

        assertTrue(e.getMessage(), e.getMessage().contains("already exists"));
    }

    @Test
    public void loadAllOmitsBookkeeping() throws Exception {
        definitions.create("web1", Map.of("context", "2", "hostname", "www"));

        Map<String, Map<String, String>> loaded = definitions.loadAll();

        assertEquals(Map.of("web1", Map.of("context", "2", "hostname", "www")), loaded);
    }

    @Test
    public void updateKeepsFileName() throws Exception {
        definitions.create("web1", Map.of("context", "2"));

        definitions.update("web1", Map.of("context", "2", "autostart", "true"));

        Hashtable<String, Object> configuration = stored.get("io.vserver.guest~web1");
        assertEquals("true", configuration.get("autostart"));
        assertTrue(configuration.containsKey("felix.fileinstall.filename"));
    }

    @Test
    public void deleteRemovesFileAndConfiguration() throws Exception {
        definitions.create("web1", Map.of("context", "2"));

        definitions.delete("web1");

        assertFalse(Files.exists(etc.resolve("io.vserver.guest-web1.cfg")));
        assertNull(stored.get("io.vserver.guest~web1"));
        assertEquals(Map.of(), definitions.loadAll());
    }

    @Test
    public void guestNameFromPidOrFile() {
        Dictionary<String, Object> properties = new Hashtable<>(
                Map.of("felix.fileinstall.filename", "file:/opt/karaf/etc/io.vserver.guest-web2.cfg"));

        assertEquals("web1", ConfigAdminDefinitions.guestName("io.vserver.guest~web1", null));
        assertEquals("web2", ConfigAdminDefinitions.guestName("io.vserver.guest.4f2a", properties));
        assertNull(ConfigAdminDefinitions.guestName("io.vserver.guest.4f2a", new Hashtable<>()));
    }

    @Test
    public void eventsReachListener() throws Exception {
        definitions.create("web1", Map.of("context", "2"));

        definitions.configurationEvent(new ConfigurationEvent(reference(), ConfigurationEvent.CM_UPDATED,
                "io.vserver.guest", "io.vserver.guest~web1"));
        definitions.configurationEvent(new ConfigurationEvent(reference(), ConfigurationEvent.CM_UPDATED,
                "other.factory", "other.factory~x"));
        definitions.configurationEvent(new ConfigurationEvent(reference(), ConfigurationEvent.CM_DELETED,
                "io.vserver.guest", "io.vserver.guest~web1"));

        assertEquals(List.of("changed web1 {context=2}", "deleted web1"), events);
    }

    @SuppressWarnings("unchecked")
    private ServiceReference<ConfigurationAdmin> reference() {
        return (ServiceReference<ConfigurationAdmin>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, arguments) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private ConfigurationAdmin fakeConfigurationAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, arguments) -> {
                    switch (method.getName()) {
                        case "getFactoryConfiguration":
                            return configuration(arguments[0] + "~" + arguments[1], (String) arguments[0]);
                        case "listConfigurations":
                            return list((String) arguments[0]);
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private Configuration[] list(String filter) {
        Matcher matcher = Pattern.compile("\\(([\\w.]+)=([^)]*)\\)").matcher(filter);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(filter);
        }
        List<Configuration> found = new ArrayList<>();
        for (Map.Entry<String, Hashtable<String, Object>> entry : stored.entrySet()) {
            if (entry.getValue() != null && matcher.group(2).equals(entry.getValue().get(matcher.group(1)))) {
                found.add(configuration(entry.getKey(), (String) entry.getValue().get(ConfigurationAdmin.SERVICE_FACTORYPID)));
            }
        }
        return found.isEmpty() ? null : found.toArray(new Configuration[0]);
    }

    private Configuration configuration(String pid, String factoryPid) {
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, arguments) -> {
                    switch (method.getName()) {
                        case "getPid":
                            return pid;
                        case "getFactoryPid":
                            return factoryPid;
                        case "getProperties":
                            Hashtable<String, Object> properties = stored.get(pid);
                            return properties == null ? null : new Hashtable<>(properties);
                        case "update":
                            @SuppressWarnings("unchecked")
                            Hashtable<String, Object> updated = new Hashtable<>((Map<String, Object>) arguments[0]);
                            updated.put(Constants.SERVICE_PID, pid);
                            updated.put(ConfigurationAdmin.SERVICE_FACTORYPID, factoryPid);
                            stored.put(pid, updated);
                            return null;
                        case "delete":
                            stored.remove(pid);
                            return null;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
