package io.vserver.network.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;

/**
 * The network element: which network stack a guest's sockets use.
 *
 * <p>Key {@code network.mode}: {@code none} (default, a new network namespace with only
 * loopback) or {@code host} (the host's namespace, flagged {@code network=host} in the guest's
 * status). The modes {@code bind} (addresses on the shared host stack) and {@code isolated}
 * (own namespace with a veth pair), and with them {@code network.address} and
 * {@code network.device}, are rejected until they are implemented. A guest that sets no
 * {@code network.*} key does not need this element, because the plan's default is already a
 * new namespace with loopback only.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=network")
public class NetworkElement implements IsolationElement {

    static final String MODE = "network.mode";
    static final String ADDRESS = "network.address";
    static final String DEVICE = "network.device";

    /** Every key the element accepts. Other keys under {@code network.} are unknown. */
    static final List<String> KEYS = List.of(MODE, ADDRESS, DEVICE);

    static final String MODE_FORM = "none or host (bind and isolated are not implemented yet)";

    /** The status flag of a guest that shares the host's network namespace. */
    public static final String HOST_NETWORK_FLAG = "network=host";

    private static final Set<String> OWNED_KEYS = Set.of("network.");

    /** The values of {@code network.mode}. */
    enum Mode {
        NONE, HOST, BIND, ISOLATED;

        boolean isImplemented() {
            return this == NONE || this == HOST;
        }
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public String feature() {
        return "vserver-network";
    }

    @Override
    public Set<String> ownedKeys() {
        return OWNED_KEYS;
    }

    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        mode(spec);
    }

    /** Sets the plan's network namespace: a new one for {@code none}, the host's for {@code host}. */
    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws InvalidConfigurationException {
        Mode mode = mode(spec);
        plan.network(mode == Mode.HOST ? LaunchPlan.NetworkNamespace.HOST : LaunchPlan.NetworkNamespace.NEW, null);
    }

    /** Does nothing: a guest's own namespace ends with its last process, and the host's is not touched. */
    @Override
    public void release(GuestRecord record) {
    }

    /** Returns the status flags of {@code spec}, see {@link #flags(GuestSpec)}. */
    public List<String> statusFlags(GuestSpec spec) throws InvalidConfigurationException {
        return flags(spec);
    }

    /**
     * Returns the status flags an operator must see for {@code spec}: {@link #HOST_NETWORK_FLAG}
     * for {@code network.mode=host}, and no flag otherwise.
     *
     * @throws InvalidConfigurationException when the network keys are invalid
     */
    public static List<String> flags(GuestSpec spec) throws InvalidConfigurationException {
        return mode(spec) == Mode.HOST ? List.of(HOST_NETWORK_FLAG) : List.of();
    }

    /**
     * Parses and checks the network keys of {@code spec} and returns the mode.
     *
     * @throws InvalidConfigurationException naming the key, the value and the accepted form
     */
    static Mode mode(GuestSpec spec) throws InvalidConfigurationException {
        String source = spec.label();
        for (String key : spec.settings().keySet()) {
            if (key.startsWith("network.") && !KEYS.contains(key)) {
                throw InvalidConfigurationException.unknownKey(source, key, String.join(", ", KEYS));
            }
        }
        String value = spec.get(MODE, "none");
        Mode mode;
        try {
            mode = Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw InvalidConfigurationException.invalidValue(source, MODE, value, MODE_FORM);
        }
        if (!mode.isImplemented()) {
            throw InvalidConfigurationException.invalidValue(source, MODE, value, MODE_FORM);
        }
        for (String key : List.of(ADDRESS, DEVICE)) {
            String setting = spec.get(key).orElse(null);
            if (setting != null) {
                throw InvalidConfigurationException.invalidValue(source, key, setting, "no value with network.mode "
                        + mode.name().toLowerCase(Locale.ROOT) + ": " + key
                        + " applies only to the modes bind and isolated, which are not implemented yet");
            }
        }
        return mode;
    }
}
