package io.vserver.network.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.LaunchPlan;
import io.vserver.api.VServerException;
import io.vserver.kmod.bpf.ChbindMap;
import io.vserver.kmod.bpf.GuestAddresses;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * {@code network.mode=bind}: the guest shares the host-side network stack, and the chbind
 * programs lock its sockets to its addresses through its entry in the chbind map. The element
 * adds the addresses outside 127.0.0.0/8 to {@code network.device} while the guest runs.
 */
final class BindNetwork {

    private static final Logger LOG = LoggerFactory.getLogger(BindNetwork.class);

    /**
     * Capabilities a guest on the shared stack must not hold: NET_RAW opens packet sockets, which
     * the chbind programs do not see, and NET_ADMIN changes the host's interfaces and routes.
     */
    static final Set<String> DENIED_CAPABILITIES = Set.of("net_raw", "net_admin");

    /** Serializes the check that an address is free with the write of the state file that claims it. */
    private static final Object CLAIMS = new Object();

    private final ChbindPrograms programs;
    private final CgroupHierarchies hierarchies;

    BindNetwork(ChbindPrograms programs, CgroupHierarchies hierarchies) {
        this.programs = programs;
        this.hierarchies = hierarchies;
    }

    /**
     * Adds the device addresses, sets the guest's map entry and fills in the plan. What it made
     * is recorded in the guest's state file first, so {@code release} removes it after a failure.
     */
    void prepare(GuestSpec spec, NetworkSettings settings, GuestRecord record, LaunchPlan plan)
            throws VServerException {
        NetworkElement.checkNamespace(spec, settings.namespace());
        plan.network(settings.namespace() == null ? LaunchPlan.NetworkNamespace.HOST
                : LaunchPlan.NetworkNamespace.JOIN, settings.namespace());
        for (LaunchPlan.CapabilitySetKind kind : LaunchPlan.CapabilitySetKind.values()) {
            Set<String> names = plan.capabilities(kind);
            if (names != null) {
                Set<String> allowed = new LinkedHashSet<>(names);
                allowed.removeAll(DENIED_CAPABILITIES);
                plan.capabilities(kind, allowed);
            }
        }
        try {
            NetworkState state;
            synchronized (CLAIMS) {
                checkFree(record, settings.addressList());
                state = NetworkState.empty(settings.namespace()).withAddresses(settings.addressList());
                state.write(record.runDirectory());
            }
            state = addDeviceAddresses(spec, settings, record, state, List.of());
            long cgroupId = hierarchies.group(record.cgroupPath()).cgroupId();
            state = state.withCgroupId(cgroupId);
            state.write(record.runDirectory());
            programs.mapFor(hierarchies, record.cgroupPath()).put(cgroupId, addresses(settings, spec.xid()));
            LOG.info("{}: sockets locked to {} (loopback {}) on the {} network stack", spec.label(),
                    settings.addressList(), GuestAddresses.loopbackFor(spec.xid()).getHostAddress(),
                    settings.namespace() == null ? "host's" : settings.namespace() + "");
        } catch (IOException | RuntimeException e) {
            throw new VServerException(spec.label() + ": failed to set up network.mode=bind: " + e.getMessage(), e);
        }
    }

    /**
     * Adds each device address of the settings that is not in {@code present} to the device, and
     * records it in the state file before adding it.
     */
    private static NetworkState addDeviceAddresses(GuestSpec spec, NetworkSettings settings, GuestRecord record,
            NetworkState state, List<String> present) throws IOException {
        List<NetworkSettings.Address> wanted = settings.deviceAddresses();
        if (wanted.isEmpty()) {
            return state;
        }
        if (settings.device() == null) {
            // The operator keeps the address on an interface; the guest only binds to it.
            return state;
        }
        IpCommand ip = IpCommand.in(settings.namespace());
        List<String> added = new ArrayList<>(state.deviceAddresses());
        for (NetworkSettings.Address address : wanted) {
            if (present.contains(address.withPrefix())) {
                continue;
            }
            if (ip.hasAddress(settings.device(), address)) {
                throw new IOException("address " + address + " is on " + settings.device()
                        + " already, so another guest or the host uses it: pick another network.address");
            }
            added.add(address.withPrefix());
            state = state.withDeviceAddresses(settings.device(), added);
            state.write(record.runDirectory());
            ip.run("address", "add", address.withPrefix(), "dev", settings.device(), "nodad");
            LOG.info("{}: added {} to {}", spec.label(), address, settings.device());
        }
        return state;
    }

    /**
     * Changes the addresses of a running guest: adds the new device addresses, replaces the map
     * entry, then removes the old device addresses. On failure the old entry and addresses are
     * restored before the exception is thrown.
     */
    void changeAddresses(GuestSpec updated, NetworkSettings oldSettings, NetworkSettings newSettings,
            GuestRecord record) throws VServerException {
        NetworkState before;
        try {
            before = NetworkState.read(record.runDirectory()).orElseThrow(() -> new IOException(
                    "the network state file is missing: " + record.runDirectory().resolve(NetworkState.FILE_NAME)));
        } catch (IOException e) {
            throw new VServerException(updated.label() + ": failed to change network.address: " + e.getMessage(), e);
        }
        NetworkState state = before;
        try {
            synchronized (CLAIMS) {
                checkFree(record, newSettings.addressList());
                state = state.withAddresses(newSettings.addressList());
                state.write(record.runDirectory());
            }
            state = addDeviceAddresses(updated, newSettings, record, state, before.deviceAddresses());
            programs.mapFor(hierarchies, record.cgroupPath()).put(before.cgroupId(),
                    addresses(newSettings, updated.xid()));
            Set<String> expected = new HashSet<>();
            newSettings.deviceAddresses().forEach(address -> expected.add(address.withPrefix()));
            List<String> remaining = new ArrayList<>();
            for (String address : state.deviceAddresses()) {
                if (expected.contains(address)) {
                    remaining.add(address);
                } else {
                    removeDeviceAddress(updated.label(), IpCommand.in(state.namespace()), state.device(), address);
                }
            }
            state = state.withDeviceAddresses(state.device(), remaining);
            state.write(record.runDirectory());
        } catch (IOException | RuntimeException e) {
            VServerException failure = new VServerException(updated.label() + ": failed to change network.address to "
                    + newSettings.addressList() + ": " + e.getMessage() + "; the guest keeps "
                    + oldSettings.addressList(), e);
            rollBack(updated, oldSettings, record, before, state, failure);
            throw failure;
        }
    }

    private void rollBack(GuestSpec spec, NetworkSettings oldSettings, GuestRecord record, NetworkState before,
            NetworkState current, VServerException failure) {
        try {
            programs.mapFor(hierarchies, record.cgroupPath()).put(before.cgroupId(),
                    addresses(oldSettings, spec.xid()));
            IpCommand ip = IpCommand.in(current.namespace());
            for (String address : current.deviceAddresses()) {
                if (!before.deviceAddresses().contains(address)) {
                    removeDeviceAddress(spec.label(), ip, current.device(), address);
                }
            }
            before.write(record.runDirectory());
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Removes what {@link #prepare} made, as recorded in the state. */
    void release(GuestRecord record, NetworkState state) throws IOException {
        if (state.cgroupId() != 0) {
            Optional<ChbindMap> map = programs.existingMapFor(record.cgroupPath());
            if (map.isPresent() && map.get().remove(state.cgroupId())) {
                LOG.info("Guest {}: removed its chbind entry", record.name());
            }
        }
        if (state.device() != null && !state.deviceAddresses().isEmpty()) {
            if (state.namespace() != null && !Files.exists(state.namespace())) {
                LOG.warn("Guest {}: network namespace {} is gone, so its addresses {} went with it", record.name(),
                        state.namespace(), state.deviceAddresses());
                return;
            }
            IpCommand ip = IpCommand.in(state.namespace());
            for (String address : state.deviceAddresses()) {
                removeDeviceAddress("Guest " + record.name(), ip, state.device(), address);
            }
        }
    }

    /**
     * Checks that no other running bind-mode guest of this host has one of the addresses, by the
     * state files beside the guest's run directory. Callers hold {@link #CLAIMS} until they have
     * written their own state file.
     */
    private static void checkFree(GuestRecord record, List<String> addresses) throws IOException {
        Path guests = record.runDirectory().getParent();
        if (guests == null || !Files.isDirectory(guests)) {
            return;
        }
        try (Stream<Path> others = Files.list(guests)) {
            for (Path other : others.filter(path -> !path.equals(record.runDirectory())).toList()) {
                Optional<NetworkState> state = NetworkState.read(other);
                if (state.isEmpty()) {
                    continue;
                }
                for (String address : addresses) {
                    if (state.get().addresses().contains(address)) {
                        throw new IOException("address " + address + " belongs to running guest "
                                + other.getFileName() + ": pick another network.address");
                    }
                }
            }
        }
    }

    private static void removeDeviceAddress(String label, IpCommand ip, String device, String address)
            throws IOException {
        try {
            ip.run("address", "del", address, "dev", device);
            LOG.info("{}: removed {} from {}", label, address, device);
        } catch (IOException e) {
            String message = e.getMessage();
            if (message.contains("Cannot assign requested address") || message.contains("does not exist")) {
                LOG.warn("{}: address {} was no longer on {}", label, address, device);
                return;
            }
            throw e;
        }
    }

    private static GuestAddresses addresses(NetworkSettings settings, int xid) {
        Optional<Inet6Address> ipv6 = settings.ipv6() == null ? Optional.empty()
                : Optional.of((Inet6Address) settings.ipv6().address());
        return new GuestAddresses((Inet4Address) settings.ipv4().address(), GuestAddresses.loopbackFor(xid), ipv6);
    }
}
