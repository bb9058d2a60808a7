package io.vserver.network.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.VServerException;

/**
 * {@code network.mode=isolated}: the guest gets its own network namespace with a veth pair. The
 * host end, {@code vsXID}, joins {@code network.bridge} in the host-side namespace; the guest
 * end is {@code eth0} with the guest's addresses and, with {@code network.gateway}, a default
 * route. The bridge is made when missing and stays, since other guests share it.
 */
final class IsolatedNetwork {

    private static final Logger LOG = LoggerFactory.getLogger(IsolatedNetwork.class);

    static final String GUEST_DEVICE = "eth0";

    /** Returns the name of the host end of a guest's veth pair, such as {@code vs42}. */
    static String hostVeth(int xid) {
        return "vs" + xid;
    }

    void prepare(GuestSpec spec, NetworkSettings settings, GuestRecord record, LaunchPlan plan)
            throws VServerException {
        NetworkElement.checkNamespace(spec, settings.namespace());
        plan.network(LaunchPlan.NetworkNamespace.NEW, null);
        try {
            NetworkState.empty(settings.namespace()).write(record.runDirectory());
        } catch (IOException e) {
            throw new VServerException(spec.label() + ": failed to write the network state: " + e.getMessage(), e);
        }
    }

    /** Makes the veth pair and configures the guest end, while the init waits to run. */
    void attach(RunningGuest guest, NetworkSettings settings) throws VServerException {
        GuestSpec spec = guest.spec();
        String hostEnd = hostVeth(spec.xid());
        String peer = "vg" + spec.xid();
        IpCommand host = IpCommand.in(settings.namespace());
        IpCommand inside = IpCommand.ofProcess(guest.initPid());
        try {
            checkOwnNamespace(guest);
            if (!host.hasLink(settings.bridge())) {
                host.run("link", "add", settings.bridge(), "type", "bridge");
                LOG.info("{}: made bridge {} in {}", spec.label(), settings.bridge(), describe(settings));
            }
            host.run("link", "set", settings.bridge(), "up");
            NetworkState.empty(settings.namespace()).withHostVeth(hostEnd).write(guest.record().runDirectory());
            host.run("link", "add", hostEnd, "type", "veth", "peer", "name", peer, "netns",
                    String.valueOf(guest.initPid()));
            host.run("link", "set", hostEnd, "master", settings.bridge(), "up");
            inside.run("link", "set", peer, "name", GUEST_DEVICE);
            inside.run("address", "add", settings.ipv4().withPrefix(), "dev", GUEST_DEVICE);
            if (settings.ipv6() != null) {
                inside.run("address", "add", settings.ipv6().withPrefix(), "dev", GUEST_DEVICE, "nodad");
            }
            inside.run("link", "set", GUEST_DEVICE, "up");
            inside.run("link", "set", "lo", "up");
            if (settings.gateway() != null) {
                inside.run("route", "add", "default", "via", settings.gateway().getHostAddress());
            }
            LOG.info("{}: {} on {} through {} on bridge {} in {}", spec.label(), GUEST_DEVICE,
                    settings.addressList(), hostEnd, settings.bridge(), describe(settings));
        } catch (IOException e) {
            throw new VServerException(spec.label() + ": failed to set up network.mode=isolated: " + e.getMessage(), e);
        }
    }

    /** Replaces the addresses of the guest's {@code eth0}; on failure the old ones are put back. */
    void changeAddresses(RunningGuest guest, GuestSpec updated, NetworkSettings oldSettings,
            NetworkSettings newSettings) throws VServerException {
        IpCommand inside = IpCommand.ofProcess(guest.initPid());
        try {
            checkOwnNamespace(guest);
            replace(inside, oldSettings, newSettings);
        } catch (IOException e) {
            VServerException failure = new VServerException(updated.label() + ": failed to change network.address to "
                    + newSettings.addressList() + ": " + e.getMessage() + "; the guest keeps "
                    + oldSettings.addressList(), e);
            try {
                replace(inside, newSettings, oldSettings);
            } catch (IOException rollBackFailure) {
                failure.addSuppressed(rollBackFailure);
            }
            throw failure;
        }
    }

    /**
     * Removes the old addresses first and then adds the new ones: removing the first IPv4
     * address of a subnet also removes the others of that subnet, so the reverse order would
     * lose a new address in the same subnet.
     */
    /**
     * Checks that the guest's init has a network namespace of its own, so that a command meant
     * for the guest's {@code eth0} never changes the host VM's interfaces.
     */
    static void checkOwnNamespace(RunningGuest guest) throws IOException {
        Path guestNamespace = Path.of("/proc", String.valueOf(guest.initPid()), "ns", "net");
        Object guestInode = Files.getAttribute(guestNamespace, "unix:ino");
        Object hostInode = Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
        if (guestInode.equals(hostInode)) {
            throw new IOException("init " + guest.initPid() + " shares the host VM's network namespace, so it does "
                    + "not run in isolated mode: restart the guest to change its mode");
        }
    }

    private static void replace(IpCommand inside, NetworkSettings from, NetworkSettings to) throws IOException {
        for (NetworkSettings.Address address : new NetworkSettings.Address[] {from.ipv4(), from.ipv6()}) {
            if (address != null && !address.equals(to.ipv4()) && !address.equals(to.ipv6())
                    && inside.hasAddress(GUEST_DEVICE, address)) {
                inside.run("address", "del", address.withPrefix(), "dev", GUEST_DEVICE);
            }
        }
        for (NetworkSettings.Address address : new NetworkSettings.Address[] {to.ipv4(), to.ipv6()}) {
            if (address != null && !inside.hasAddress(GUEST_DEVICE, address)) {
                inside.run("address", "add", address.withPrefix(), "dev", GUEST_DEVICE, "nodad");
            }
        }
        if (to.gateway() != null) {
            inside.run("route", "replace", "default", "via", to.gateway().getHostAddress());
        }
    }

    /** Deletes the host end of the veth pair, which deletes the guest end with it. */
    void release(GuestRecord record, NetworkState state) throws IOException {
        if (state.hostVeth() == null) {
            return;
        }
        if (state.namespace() != null && !Files.exists(state.namespace())) {
            LOG.warn("Guest {}: network namespace {} is gone, and {} with it", record.name(), state.namespace(),
                    state.hostVeth());
            return;
        }
        IpCommand host = IpCommand.in(state.namespace());
        if (host.hasLink(state.hostVeth())) {
            host.run("link", "del", state.hostVeth());
            LOG.info("Guest {}: deleted {}", record.name(), state.hostVeth());
        }
    }

    private static String describe(NetworkSettings settings) {
        return settings.namespace() == null ? "the host's network namespace" : settings.namespace().toString();
    }
}
