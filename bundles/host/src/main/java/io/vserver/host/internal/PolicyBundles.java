package io.vserver.host.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.util.tracker.BundleTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extender for policy bundles: a bundle whose manifest header {@value #HEADER} names a
 * folder provides one policy per {@code NAME.cfg} file in it (properties format, as in
 * {@code etc/}). The policies count while the bundle is active: installing and starting it adds
 * them, updating it replaces them, and stopping or uninstalling it removes them.
 */
final class PolicyBundles extends BundleTracker<String> {

    /** The manifest header that names the folder of policy files, such as {@code policies/}. */
    static final String HEADER = "VServer-Policies";

    private static final Logger LOG = LoggerFactory.getLogger(PolicyBundles.class);

    private final PolicyRegistry registry;

    PolicyBundles(BundleContext context, PolicyRegistry registry) {
        super(context, Bundle.ACTIVE, null);
        this.registry = registry;
    }

    @Override
    public String addingBundle(Bundle bundle, BundleEvent event) {
        String folder = bundle.getHeaders().get(HEADER);
        if (folder == null) {
            return null;
        }
        List<PolicyRegistry.Definition> definitions = read(bundle, folder.trim().replaceAll("/+$", ""));
        registry.replace(sourceId(bundle), definitions);
        LOG.info("Policy bundle {} {} provides the policies {}", bundle.getSymbolicName(), bundle.getVersion(),
                definitions.stream().map(PolicyRegistry.Definition::name).toList());
        return folder;
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, String folder) {
        registry.replace(sourceId(bundle), List.of());
        LOG.info("Policy bundle {} {} stopped; its policies are withdrawn", bundle.getSymbolicName(),
                bundle.getVersion());
    }

    private static String sourceId(Bundle bundle) {
        return "bundle:" + bundle.getBundleId();
    }

    /** Reads the policy files of a bundle; a file that cannot be read becomes a rejected definition. */
    static List<PolicyRegistry.Definition> read(Bundle bundle, String folder) {
        List<PolicyRegistry.Definition> definitions = new ArrayList<>();
        Enumeration<URL> entries = bundle.findEntries(folder, "*.cfg", false);
        if (entries == null) {
            LOG.warn("Policy bundle {} names the folder {} in {}, which has no .cfg file", bundle.getSymbolicName(),
                    folder, HEADER);
            return definitions;
        }
        while (entries.hasMoreElements()) {
            URL entry = entries.nextElement();
            String path = entry.getPath().startsWith("/") ? entry.getPath().substring(1) : entry.getPath();
            String file = path.substring(path.lastIndexOf('/') + 1);
            String name = file.substring(0, file.length() - ".cfg".length());
            String source = "bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + ", file " + path;
            try (InputStream in = entry.openStream()) {
                definitions.add(new PolicyRegistry.Definition(name, parse(in), source, null));
            } catch (IOException | IllegalArgumentException e) {
                definitions.add(new PolicyRegistry.Definition(name, Map.of(), source, "policy " + name + " ("
                        + source + "): cannot read the file: " + e.getMessage()));
            }
        }
        definitions.sort((a, b) -> a.name().compareTo(b.name()));
        return definitions;
    }

    /** Parses a policy file in the properties format of Karaf's {@code .cfg} files. */
    static Map<String, String> parse(InputStream in) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = new InputStreamReader(in, StandardCharsets.ISO_8859_1)) {
            properties.load(reader);
        }
        Map<String, String> settings = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            settings.put(key, properties.getProperty(key).trim());
        }
        return settings;
    }
}
