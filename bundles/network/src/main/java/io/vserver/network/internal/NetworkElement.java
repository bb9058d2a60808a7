package io.vserver.network.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.network.internal.NetworkSettings.Mode;

/**
 * The network element: which network stack a guest's sockets use.
 *
 * <p>{@code network.mode} is {@code none} (a new namespace with only loopback; the default
 * without {@code network.address}), {@code bind} (the shared host-side stack, sockets locked to
 * the guest's addresses by the chbind BPF programs; the default with {@code network.address}),
 * {@code isolated} (own namespace with a veth pair on a bridge) or {@code host} (no
 * restriction, flagged {@code network=host}). {@code network.namespace} names the host-side
 * namespace of bind and isolated mode, by default the host VM's own. A guest that sets no
 * {@code network.*} key does not need this element, because the plan's default is already a
 * new namespace with loopback only.
 *
 * <p>A live change of {@code network.address} applies at once; other keys need a restart.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=network")
public class NetworkElement implements IsolationElement {

    private static final Logger LOG = LoggerFactory.getLogger(NetworkElement.class);

    /** The status flag of a guest that shares the host's network namespace. */
    public static final String HOST_NETWORK_FLAG = "network=host";

    private static final Set<String> OWNED_KEYS = Set.of("network.");

    private final IsolatedNetwork isolated = new IsolatedNetwork();
    private ChbindPrograms programs;
    private BindNetwork bind;

    /** Activates the element with the BPF object copied into the bundle's data area. */
    @Activate
    void activate(BundleContext context) {
        activate(context.getDataFile("bpf").toPath());
    }

    /** Activates the element with the BPF object copied into {@code objectDirectory}. */
    synchronized void activate(Path objectDirectory) {
        programs = new ChbindPrograms(objectDirectory);
    }

    @Deactivate
    synchronized void deactivate() {
        if (programs == null) {
            return;
        }
        try {
            programs.close();
        } catch (IOException e) {
            LOG.warn("Cannot close the chbind programs; their pins stay in place", e);
        }
        programs = null;
        bind = null;
    }

    private synchronized BindNetwork bindNetwork() throws IOException {
        if (programs == null) {
            throw new IOException("the network element is not active");
        }
        if (bind == null) {
            bind = new BindNetwork(programs, CgroupHierarchies.discover());
        }
        return bind;
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
        NetworkSettings.of(spec);
    }

    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException {
        NetworkSettings settings = NetworkSettings.of(spec);
        switch (settings.mode()) {
            case NONE -> plan.network(LaunchPlan.NetworkNamespace.NEW, null);
            case HOST -> plan.network(LaunchPlan.NetworkNamespace.HOST, null);
            case BIND -> {
                try {
                    bindNetwork().prepare(spec, settings, record, plan);
                } catch (IOException e) {
                    throw new VServerException(spec.label() + ": failed to set up network.mode=bind: "
                            + e.getMessage(), e);
                }
            }
            case ISOLATED -> isolated.prepare(spec, settings, record, plan);
            default -> throw new IllegalStateException("unhandled mode " + settings.mode());
        }
    }

    @Override
    public void attach(RunningGuest guest) throws VServerException {
        NetworkSettings settings = NetworkSettings.of(guest.spec());
        if (settings.mode() == Mode.ISOLATED) {
            isolated.attach(guest, settings);
        }
    }

    /**
     * Applies a change of {@code network.address} to a running bind or isolated guest at once.
     * A change of any other network key, or of the address together with one, needs a restart.
     */
    @Override
    public Map<String, UpdateOutcome> update(RunningGuest guest, GuestSpec updated) throws VServerException {
        Map<String, UpdateOutcome> outcomes = preview(guest, updated);
        if (!outcomes.containsValue(UpdateOutcome.APPLIED)) {
            return outcomes;
        }
        NetworkSettings oldSettings = NetworkSettings.of(guest.spec());
        NetworkSettings newSettings = NetworkSettings.of(updated);
        if (newSettings.mode() == Mode.BIND) {
            try {
                bindNetwork().changeAddresses(updated, oldSettings, newSettings, guest.record());
            } catch (IOException e) {
                throw new VServerException(updated.label() + ": failed to change network.address: " + e.getMessage(), e);
            }
        } else {
            isolated.changeAddresses(guest, updated, oldSettings, newSettings);
        }
        LOG.info("{}: network.address changed from {} to {}", updated.label(), oldSettings.addressList(),
                newSettings.addressList());
        return outcomes;
    }

    /**
     * Reports {@code network.address} as applied live when it is the only changed key of a bind
     * or isolated guest that keeps its mode and runs in that mode, and every changed key as
     * waiting for a restart otherwise.
     */
    @Override
    public Map<String, UpdateOutcome> preview(RunningGuest guest, GuestSpec updated) throws VServerException {
        NetworkSettings oldSettings = NetworkSettings.of(guest.spec());
        NetworkSettings newSettings = NetworkSettings.of(updated);
        Set<String> changed = new TreeSet<>();
        for (String key : NetworkSettings.KEYS) {
            if (!Objects.equals(guest.spec().get(key).orElse(null), updated.get(key).orElse(null))) {
                changed.add(key);
            }
        }
        boolean onlyAddress = changed.equals(Set.of(NetworkSettings.ADDRESS))
                && oldSettings.mode() == newSettings.mode()
                && (newSettings.mode() == Mode.BIND || newSettings.mode() == Mode.ISOLATED)
                && runningMode(guest) == newSettings.mode();
        Map<String, UpdateOutcome> outcomes = new LinkedHashMap<>();
        changed.forEach(key -> outcomes.put(key, onlyAddress ? UpdateOutcome.APPLIED : UpdateOutcome.NEEDS_RESTART));
        return outcomes;
    }

    /**
     * Returns the mode the guest was started in, from the state file the element wrote at its
     * start, and not from the guest's spec: a change of {@code network.mode} that waits for a
     * restart is in the spec already, while the guest still runs in its old mode.
     */
    private static Mode runningMode(RunningGuest guest) throws VServerException {
        try {
            Optional<NetworkState> state = NetworkState.read(guest.record().runDirectory());
            if (state.isEmpty()) {
                return null;
            }
            if (state.get().hostVeth() != null) {
                return Mode.ISOLATED;
            }
            return state.get().cgroupId() != 0 ? Mode.BIND : null;
        } catch (IOException e) {
            throw new VServerException(guest.spec().label() + ": cannot read the network state: " + e.getMessage(),
                    e);
        }
    }

    /** Removes the chbind entry, the device addresses and the veth pair recorded for the guest. */
    @Override
    public void release(GuestRecord record) throws VServerException {
        try {
            var state = NetworkState.read(record.runDirectory());
            if (state.isEmpty()) {
                return;
            }
            bindNetwork().release(record, state.get());
            isolated.release(record, state.get());
            NetworkState.delete(record.runDirectory());
        } catch (IOException | RuntimeException e) {
            throw new VServerException("Guest " + record.name() + ": failed to remove its network set-up: "
                    + e.getMessage(), e);
        }
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
        return NetworkSettings.of(spec).mode() == Mode.HOST ? List.of(HOST_NETWORK_FLAG) : List.of();
    }

    /** Checks that the host-side namespace file exists; null stands for the host VM's own. */
    static void checkNamespace(GuestSpec spec, Path namespace) throws VServerException {
        if (namespace != null && !Files.exists(namespace)) {
            throw new VServerException(spec.label() + ": network.namespace " + namespace + " does not exist: "
                    + "create it (for a name, ip netns add NAME) or remove the key to use the host's namespace");
        }
    }
}
