package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;

import io.vserver.api.GuestStatus;
import io.vserver.api.IsolationElement;
import io.vserver.kmod.bpf.ChbindLinks;
import io.vserver.kmod.bpf.ChbindMap;
import io.vserver.kmod.bpf.GuestAddresses;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * The network modes with real guests on the host image, which has socat: bind mode on
 * addresses in 127.0.0.0/8 of the host's namespace, none, and isolated mode on a bridge in a
 * network namespace the test makes. The host-side services are sockets of this test.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NetworkIT extends GuestTestSupport {

    /** An address no guest owns: guests' loopback addresses are 127.X.Y.1. */
    private static final String HOST_SERVICE_ADDRESS = "127.0.2.50";

    /** A service on port 8080 of every address that sends the guest's host name to each client. */
    private static final String LISTENER = "/usr/bin/socat TCP-LISTEN:8080,fork,reuseaddr EXEC:/bin/hostname";

    /** Defines and starts a bind-mode guest running {@link #LISTENER}. */
    private GuestStatus startWebGuest(String name, String address) throws Exception {
        createCommandGuest(name, LISTENER, "network.address=" + address);
        GuestStatus status = startGuest(name);
        await(name + " listening on " + address + ":8080", GUEST_TIMEOUT, () -> answer(address, 8080).isPresent());
        return status;
    }

    /** Returns the first line a TCP service at address:port sends, or empty when it refuses. */
    private static Optional<String> answer(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            socket.setSoTimeout(5000);
            String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return Optional.of(text.strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Test
    public void guestsShareOnePort() throws Exception {
        GuestStatus first = startWebGuest("web1", "127.0.1.11");
        startWebGuest("web2", "127.0.1.12");

        assertEquals(Optional.of("web1"), answer("127.0.1.11", 8080));
        assertEquals(Optional.of("web2"), answer("127.0.1.12", 8080));
        assertEquals("bind", first.network());
        assertEquals(List.of("127.0.1.11"), first.addresses());

        ExecResult foreign = exec("web1", "/usr/bin/socat", "-u", "OPEN:/dev/null",
                "TCP-LISTEN:9000,bind=127.0.1.12");
        assertNotEquals(0, foreign.exitCode());
        assertTrue(foreign.describe(), foreign.stderr().contains("Operation not permitted"));

        ExecResult packet = exec("web1", "/usr/bin/socat", "-u", "OPEN:/dev/null", "INTERFACE:lo");
        assertNotEquals(0, packet.exitCode());
        assertTrue(packet.describe(), packet.stderr().contains("Operation not permitted"));
    }

    @Test
    public void ipv6WildcardListensOnGuestAddress() throws Exception {
        // Most daemons listen on [::]; without an IPv6 address the guest's IPv4 address serves it.
        createCommandGuest("web6", "/usr/bin/socat TCP6-LISTEN:8080,fork,reuseaddr EXEC:/bin/hostname",
                "network.address=127.0.1.16");
        startGuest("web6");

        await("web6 listening on 127.0.1.16:8080", GUEST_TIMEOUT, () -> answer("127.0.1.16", 8080).isPresent());
        assertEquals(Optional.of("web6"), answer("127.0.1.16", 8080));
        // /proc/net/tcp6 prints ::ffff:127.0.1.16 as four 32-bit words in the CPU's byte order (little-endian
        // on x86_64 and arm64), and port 8080 in hex.
        String sockets = execOk("web6", "/bin/cat", "/proc/net/tcp6");
        assertTrue(sockets, sockets.contains("0000000000000000FFFF00001001007F:1F90"));
    }

    @Test
    public void trafficLeavesFromGuestAddress() throws Exception {
        startWebGuest("web1", "127.0.1.11");
        try (ServerSocket service = new ServerSocket(0, 5, InetAddress.getByName(HOST_SERVICE_ADDRESS));
                DatagramSocket datagrams = new DatagramSocket(0, InetAddress.getByName(HOST_SERVICE_ADDRESS))) {
            service.setSoTimeout(10_000);
            datagrams.setSoTimeout(10_000);

            execOk("web1", "/usr/bin/socat", "-u", "OPEN:/dev/null",
                    "TCP:" + HOST_SERVICE_ADDRESS + ":" + service.getLocalPort());
            try (Socket accepted = service.accept()) {
                assertEquals(InetAddress.getByName("127.0.1.11"), accepted.getInetAddress());
            }

            execOk("web1", "/bin/sh", "-c", "echo hello | /usr/bin/socat -u STDIN UDP-SENDTO:"
                    + HOST_SERVICE_ADDRESS + ":" + datagrams.getLocalPort());
            DatagramPacket packet = new DatagramPacket(new byte[64], 64);
            datagrams.receive(packet);
            assertEquals(InetAddress.getByName("127.0.1.11"), packet.getAddress());
        }
    }

    @Test
    public void localhostIsPrivateToEachGuest() throws Exception {
        startWebGuest("web1", "127.0.1.11");
        startWebGuest("web2", "127.0.1.12");
        try (ServerSocket hostListener = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            hostListener.setSoTimeout(500);
            int port = hostListener.getLocalPort();

            ExecResult toHost = exec("web1", "/usr/bin/socat", "-u", "OPEN:/dev/null", "TCP:127.0.0.1:" + port);

            assertNotEquals(toHost.describe(), 0, toHost.exitCode());
            try (Socket leaked = hostListener.accept()) {
                throw new AssertionError("the host's 127.0.0.1 listener got a connection from "
                        + leaked.getInetAddress());
            } catch (SocketTimeoutException expected) {
                // Nothing arrived.
            }
        }

        execOk("web1", "/bin/sh", "-c", "/usr/bin/socat TCP-LISTEN:7000,bind=127.0.0.1,fork,reuseaddr "
                + "EXEC:/bin/hostname </dev/null >/dev/null 2>&1 &");
        await("web1's own 127.0.0.1:7000", GUEST_TIMEOUT, () -> {
            try {
                return exec("web1", "/usr/bin/socat", "-u", "TCP:127.0.0.1:7000", "STDOUT").stdout().contains("web1");
            } catch (Exception e) {
                throw new AssertionError(e.toString());
            }
        });
        ExecResult fromOther = exec("web2", "/usr/bin/socat", "-u", "TCP:127.0.0.1:7000", "STDOUT");
        assertNotEquals(fromOther.describe(), 0, fromOther.exitCode());
        ExecResult fromOtherDirect = exec("web2", "/usr/bin/socat", "-u",
                "TCP:" + GuestAddresses.loopbackFor(guests().status("web1").xid()).getHostAddress() + ":7000",
                "STDOUT");
        assertNotEquals(fromOtherDirect.describe(), 0, fromOtherDirect.exitCode());
        assertTrue(fromOtherDirect.describe(), fromOtherDirect.stderr().contains("Operation not permitted"));
    }

    @Test
    public void pendingModeChangeWaitsForRestart() throws Exception {
        startWebGuest("web1", "127.0.1.11");

        String mode = executeCommand("vserver:net web1 mode=isolated");
        String address = executeCommand("vserver:net web1 address=10.79.0.9/24");
        String status = executeCommand("vserver:status web1");

        assertTrue(mode, mode.contains("network.mode: needs restart"));
        assertTrue(address, address.contains("network.address: needs restart"));
        assertEquals("bind", guests().status("web1").network());
        assertEquals(List.of("127.0.1.11"), guests().status("web1").addresses());
        assertTrue(status, status.contains("Pending (applies at the next start):"));
        assertTrue(status, status.contains("network.mode = isolated"));
        assertEquals(Optional.of("web1"), answer("127.0.1.11", 8080));
    }

    @Test
    public void noneModeHasOnlyLoopback() throws Exception {
        createCommandGuest("quiet", "/bin/sleep infinity");
        GuestStatus status = startGuest("quiet");

        String devices = execOk("quiet", "/bin/cat", "/proc/net/dev");

        assertEquals("none", status.network());
        List<String> names = devices.lines().skip(2).map(line -> line.strip().split(":")[0]).toList();
        assertEquals(List.of("lo"), names);
    }

    @Test
    public void isolatedGuestsReachEachOther() throws Exception {
        String namespace = "vsit-" + Long.toHexString(System.nanoTime() & 0xffffffL);
        run("ip", "netns", "add", namespace);
        try {
            createCommandGuest("db1", "/usr/bin/socat TCP-LISTEN:5432,fork,reuseaddr EXEC:/bin/hostname",
                    "network.mode=isolated", "network.address=10.79.0.2/24", "network.namespace=" + namespace,
                    "network.bridge=vsbr-test");
            createCommandGuest("app1", "/bin/sleep infinity", "network.mode=isolated",
                    "network.address=10.79.0.3/24", "network.namespace=" + namespace, "network.bridge=vsbr-test");
            startGuest("db1");
            startGuest("app1");

            await("app1 reaching db1 at 10.79.0.2:5432", GUEST_TIMEOUT, () -> {
                try {
                    return exec("app1", "/usr/bin/socat", "-u", "TCP:10.79.0.2:5432", "STDOUT").stdout()
                            .contains("db1");
                } catch (Exception e) {
                    throw new AssertionError(e.toString());
                }
            });
            String bridged = run("ip", "-n", namespace, "-o", "link", "show", "master", "vsbr-test");
            assertTrue(bridged, bridged.contains("vs" + guests().status("db1").xid() + "@"));

            guests().stop("db1", GUEST_TIMEOUT);
            await("db1's veth gone", GUEST_TIMEOUT, () -> {
                try {
                    return !run("ip", "-n", namespace, "-o", "link", "show").contains(
                            "vs" + guests().status("db1").xid() + "@");
                } catch (Exception e) {
                    throw new AssertionError(e.toString());
                }
            });
        } finally {
            for (String name : List.of("db1", "app1")) {
                guests().destroy(name, true);
            }
            run("ip", "netns", "del", namespace);
        }
    }

    @Test
    public void addressChangesLiveAndStopCleansUp() throws Exception {
        startWebGuest("web1", "127.0.1.11");
        long cgroupId = CgroupHierarchies.discover().group(cgroupParent + "/web1").cgroupId();
        Path pins = Path.of("/sys/fs/bpf", cgroupParent);

        String output = executeCommand("vserver:net web1 address=127.0.1.21");

        assertTrue(output, output.contains("network.address: applied"));
        // A socket keeps the address it was bound to; a new listener binds to the new address.
        execOk("web1", "/bin/sh", "-c", LISTENER + " </dev/null >/dev/null 2>&1 &");
        await("web1 answering on 127.0.1.21", GUEST_TIMEOUT, () -> answer("127.0.1.21", 8080).isPresent());
        assertEquals(List.of("127.0.1.21"), guests().status("web1").addresses());
        try (ServerSocket service = new ServerSocket(0, 5, InetAddress.getByName(HOST_SERVICE_ADDRESS))) {
            service.setSoTimeout(10_000);
            execOk("web1", "/usr/bin/socat", "-u", "OPEN:/dev/null",
                    "TCP:" + HOST_SERVICE_ADDRESS + ":" + service.getLocalPort());
            try (Socket accepted = service.accept()) {
                assertEquals(InetAddress.getByName("127.0.1.21"), accepted.getInetAddress());
            }
        }

        updateNetworkBundle();
        output = executeCommand("vserver:net web1 address=127.0.1.22");
        assertTrue(output, output.contains("network.address: applied"));

        guests().stop("web1", GUEST_TIMEOUT);
        try (ChbindMap map = ChbindMap.open(pins)) {
            assertEquals(Optional.empty(), map.get(cgroupId));
        }
        long parentId = CgroupHierarchies.discover().group(cgroupParent).cgroupId();
        assertEquals(List.of(parentId), ChbindLinks.attachedCgroups(pins));
    }

    private void updateNetworkBundle() throws Exception {
        Bundle network = List.of(bundleContext.getBundles()).stream()
                .filter(bundle -> "io.vserver.network".equals(bundle.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("bundle io.vserver.network is not installed"));
        network.update();
        await("the network element back after its update", SERVICE_TIMEOUT, () -> {
            try {
                return !bundleContext.getServiceReferences(IsolationElement.class,
                        "(" + IsolationElement.SERVICE_PROPERTY_NAME + "=network)").isEmpty();
            } catch (InvalidSyntaxException e) {
                throw new AssertionError(e.toString());
            }
        });
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = process.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
