package io.vserver.host.internal;

import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.VServerException;

/**
 * Guest definitions as ConfigAdmin factory configurations of PID {@code io.vserver.guest}, one
 * named configuration per guest ({@code io.vserver.guest~NAME}).
 *
 * <p>Under Karaf, each definition is also the file {@code etc/io.vserver.guest-NAME.cfg}.
 * Felix fileinstall (3.7, in Karaf 4.4) writes a configuration back only to the file named by
 * its {@code felix.fileinstall.filename} property and only when that file exists, so a new
 * definition is written to its file here first, as Karaf's {@code config:edit --alias} does.
 * Edits of the file reach the host as configuration events.
 */
final class ConfigAdminDefinitions implements DefinitionStore, ConfigurationListener {

    static final String FACTORY_PID = "io.vserver.guest";

    /** The property in which fileinstall stores the file URI of a configuration. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private static final Logger LOG = LoggerFactory.getLogger(ConfigAdminDefinitions.class);

    private static final Set<String> BOOKKEEPING_KEYS = Set.of(Constants.SERVICE_PID,
            ConfigurationAdmin.SERVICE_FACTORYPID, ConfigurationAdmin.SERVICE_BUNDLELOCATION, FILEINSTALL_FILENAME);

    private final ConfigurationAdmin configurationAdmin;
    private final Path etcDirectory;
    private volatile Listener listener;

    /**
     * @param etcDirectory Karaf's {@code etc} directory, or null outside Karaf, where
     *     definitions live in ConfigAdmin only
     */
    ConfigAdminDefinitions(ConfigurationAdmin configurationAdmin, Path etcDirectory) {
        this.configurationAdmin = configurationAdmin;
        this.etcDirectory = etcDirectory;
    }

    void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public Map<String, Map<String, String>> loadAll() throws VServerException {
        Map<String, Map<String, String>> definitions = new TreeMap<>();
        for (Configuration configuration : list("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + FACTORY_PID + ")")) {
            Dictionary<String, Object> properties = configuration.getProperties();
            String name = guestName(configuration.getPid(), properties);
            if (name == null) {
                LOG.warn("Configuration {} of factory {} names no guest: rename its file to {}-NAME.cfg",
                        configuration.getPid(), FACTORY_PID, FACTORY_PID);
            } else if (properties != null) {
                definitions.put(name, guestKeys(properties));
            }
        }
        return definitions;
    }

    @Override
    public void create(String name, Map<String, String> keys) throws VServerException {
        try {
            Configuration configuration = configurationAdmin.getFactoryConfiguration(FACTORY_PID, name, "?");
            if (configuration.getProperties() != null) {
                throw new VServerException("guest " + name + " already exists: choose another name");
            }
            Hashtable<String, Object> properties = new Hashtable<>(keys);
            Path file = null;
            if (etcDirectory != null) {
                file = etcDirectory.resolve(FACTORY_PID + "-" + name + ".cfg");
                writeFile(file, name, keys);
                // The form of java.io.File.toURI(), which fileinstall compares to find the configuration of a file.
                properties.put(FILEINSTALL_FILENAME, file.toFile().getAbsoluteFile().toURI().toString());
            }
            try {
                configuration.update(properties);
            } catch (IOException | RuntimeException e) {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
                throw e;
            }
        } catch (IOException e) {
            throw new VServerException("guest " + name + ": cannot store the definition: " + e.getMessage(), e);
        }
    }

    @Override
    public void update(String name, Map<String, String> keys) throws VServerException {
        try {
            Configuration configuration = find(name);
            if (configuration == null) {
                throw new VServerException("guest " + name + ": its definition was deleted meanwhile");
            }
            Hashtable<String, Object> properties = new Hashtable<>(keys);
            Object fileName = configuration.getProperties().get(FILEINSTALL_FILENAME);
            if (fileName != null) {
                properties.put(FILEINSTALL_FILENAME, fileName);
            }
            configuration.update(properties);
        } catch (IOException e) {
            throw new VServerException("guest " + name + ": cannot update the definition: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String name) throws VServerException {
        try {
            Configuration configuration = find(name);
            if (configuration == null) {
                return;
            }
            // The file goes first: a file left without its configuration would define the guest again.
            Object fileName = configuration.getProperties().get(FILEINSTALL_FILENAME);
            if (fileName != null) {
                Files.deleteIfExists(Path.of(URI.create(fileName.toString())));
            }
            configuration.delete();
        } catch (IOException | IllegalArgumentException e) {
            throw new VServerException("guest " + name + ": cannot delete the definition: " + e.getMessage(), e);
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        Listener target = listener;
        if (target == null || !FACTORY_PID.equals(event.getFactoryPid())) {
            return;
        }
        try {
            if (event.getType() == ConfigurationEvent.CM_DELETED) {
                String name = guestName(event.getPid(), null);
                if (name != null) {
                    target.definitionDeleted(name);
                }
                return;
            }
            if (event.getType() == ConfigurationEvent.CM_UPDATED) {
                for (Configuration configuration : list("(" + Constants.SERVICE_PID + "=" + event.getPid() + ")")) {
                    Dictionary<String, Object> properties = configuration.getProperties();
                    String name = guestName(configuration.getPid(), properties);
                    if (name != null && properties != null) {
                        target.definitionChanged(name, guestKeys(properties));
                    }
                }
            }
        } catch (VServerException | RuntimeException e) {
            LOG.warn("Cannot apply the change of configuration {}: {}", event.getPid(), e.getMessage(), e);
        }
    }

    private Configuration find(String name) throws VServerException {
        for (Configuration configuration : list("(" + Constants.SERVICE_PID + "=" + FACTORY_PID + "~" + name + ")")) {
            return configuration;
        }
        for (Configuration configuration : list("(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + FACTORY_PID + ")")) {
            if (name.equals(guestName(configuration.getPid(), configuration.getProperties()))) {
                return configuration;
            }
        }
        return null;
    }

    private Configuration[] list(String filter) throws VServerException {
        try {
            Configuration[] configurations = configurationAdmin.listConfigurations(filter);
            return configurations == null ? new Configuration[0] : configurations;
        } catch (IOException | InvalidSyntaxException e) {
            throw new VServerException("cannot list the guest definitions (" + filter + "): " + e.getMessage(), e);
        }
    }

    /**
     * Returns the guest name of a configuration: the name of a named factory configuration
     * ({@code io.vserver.guest~NAME}), else the NAME of its file {@code io.vserver.guest-NAME.cfg}.
     */
    static String guestName(String pid, Dictionary<String, Object> properties) {
        return configurationName(FACTORY_PID, pid, properties);
    }

    /**
     * Returns the name of a factory configuration: NAME of {@code FACTORY~NAME}, else the NAME
     * of its file {@code FACTORY-NAME.cfg}, else null.
     */
    static String configurationName(String factoryPid, String pid, Dictionary<String, Object> properties) {
        String prefix = factoryPid + "~";
        if (pid != null && pid.startsWith(prefix)) {
            return pid.substring(prefix.length());
        }
        String file = fileOf(properties);
        if (file != null) {
            file = file.substring(file.lastIndexOf('/') + 1);
            String filePrefix = factoryPid + "-";
            if (file.startsWith(filePrefix) && file.endsWith(".cfg")) {
                return file.substring(filePrefix.length(), file.length() - ".cfg".length());
            }
        }
        return null;
    }

    /** Returns the file fileinstall read a configuration from, or null. */
    static String fileOf(Dictionary<String, Object> properties) {
        Object fileName = properties == null ? null : properties.get(FILEINSTALL_FILENAME);
        if (fileName == null) {
            return null;
        }
        String file = fileName.toString();
        return file.startsWith("file:") ? file.substring("file:".length()) : file;
    }

    /** Returns the guest's keys as text, without the properties ConfigAdmin and fileinstall add. */
    static Map<String, String> guestKeys(Dictionary<String, Object> properties) {
        Map<String, String> keys = new TreeMap<>();
        for (Enumeration<String> names = properties.keys(); names.hasMoreElements();) {
            String key = names.nextElement();
            if (!BOOKKEEPING_KEYS.contains(key)) {
                keys.put(key, text(properties.get(key)));
            }
        }
        return keys;
    }

    private static String text(Object value) {
        if (value instanceof Object[] array) {
            StringBuilder joined = new StringBuilder();
            for (Object element : array) {
                joined.append(joined.length() == 0 ? "" : ",").append(element);
            }
            return joined.toString();
        }
        if (value instanceof Collection<?> collection) {
            return text(collection.toArray());
        }
        return String.valueOf(value);
    }

    private static void writeFile(Path file, String name, Map<String, String> keys) throws IOException {
        if (Files.exists(file)) {
            throw new IOException(file + " exists already: remove it or choose another guest name");
        }
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.ISO_8859_1)) {
            writer.write("# VServer guest " + name + "\n");
            for (Map.Entry<String, String> entry : new TreeMap<>(keys).entrySet()) {
                writer.write(escape(entry.getKey(), true) + " = " + escape(entry.getValue(), false) + "\n");
            }
        }
    }

    /** Escapes text as the properties format of fileinstall's {@code .cfg} files reads it. */
    private static String escape(String text, boolean key) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                case '=', ':', ' ', '#', '!' -> escaped.append(key ? "\\" + c : String.valueOf(c));
                default -> escaped.append(c > 0xff ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return escaped.toString();
    }
}
