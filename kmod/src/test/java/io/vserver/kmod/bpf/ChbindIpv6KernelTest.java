package io.vserver.kmod.bpf;

import io.vserver.kmod.KernelTestSupport;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Runs the chbind programs on native IPv6 addresses, which the host namespace has only as
 * ::1, so the probes run in a network namespace the test creates, with fd00::11 (guest1),
 * fd00::12 (guest2) and fd00::1 (a host service) on its loopback device. guest3 has no IPv6
 * address. The cgroup hooks apply in every network namespace.
 */
public class ChbindIpv6KernelTest {

    private static final String GUEST1_ADDRESS = "fd00::11";
    private static final String GUEST2_ADDRESS = "fd00::12";
    private static final String HOST_ADDRESS = "fd00::1";
    private static final int PORT = 8080;
    private static final int UDP_PORT = 9999;

    private ChbindFixture fixture;
    private Chbind chbind;
    private Path guest1;
    private Path guest2;
    private Path guest3;
    private long namespacePid;

    @Before
    public void setUp() throws Exception {
        KernelTestSupport.assumeRoot();
        assertTrue("missing " + ChbindFixture.OBJECT_FILE + ": build kmod with clang first",
                Files.isRegularFile(ChbindFixture.OBJECT_FILE));
        fixture = new ChbindFixture();
        guest1 = fixture.createGuest("guest1");
        guest2 = fixture.createGuest("guest2");
        guest3 = fixture.createGuest("guest3");
        namespacePid = fixture.startNetworkNamespace(GUEST1_ADDRESS, GUEST2_ADDRESS,
                HOST_ADDRESS);
        chbind = Chbind.load(ChbindFixture.OBJECT_FILE, fixture.pinDirectory);
        chbind.attach(fixture.parent);
        put(guest1, "127.0.1.11", 2, Optional.of(GUEST1_ADDRESS));
        put(guest2, "127.0.1.12", 3, Optional.of(GUEST2_ADDRESS));
        put(guest3, "127.0.1.13", 4, Optional.empty());
    }

    private void put(Path guest, String ipv4, int context, Optional<String> ipv6)
            throws Exception {
        Optional<Inet6Address> address = Optional.empty();
        if (ipv6.isPresent()) {
            address = Optional.of((Inet6Address) InetAddress.getByName(ipv6.get()));
        }
        chbind.map().put(ChbindLinks.cgroupId(guest), new GuestAddresses(
                ChbindFixture.ipv4(ipv4), GuestAddresses.loopbackFor(context), address));
    }

    @After
    public void tearDown() throws Exception {
        if (chbind != null) {
            chbind.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    public void wildcardBindBecomesGuestAddress() throws Exception {
        SocketProbe listener1 = SocketProbe.startInNetwork(guest1, namespacePid, "listen", "::",
                "" + PORT, "guest1");
        SocketProbe listener2 = SocketProbe.startInNetwork(guest2, namespacePid, "listen", "::",
                "" + PORT, "guest2");
        try (listener1; listener2) {
            assertEquals("ok " + GUEST1_ADDRESS + " " + PORT, listener1.readLine());
            assertEquals("ok " + GUEST2_ADDRESS + " " + PORT, listener2.readLine());

            assertEquals("ok " + GUEST2_ADDRESS + " " + GUEST1_ADDRESS + " guest1 "
                    + GUEST2_ADDRESS, SocketProbe.runInNetwork(guest2, namespacePid, "connect",
                    GUEST1_ADDRESS, "" + PORT));
            assertEquals("ok " + GUEST1_ADDRESS + " " + GUEST2_ADDRESS + " guest2 "
                    + GUEST1_ADDRESS, SocketProbe.runInNetwork(guest1, namespacePid, "connect",
                    GUEST2_ADDRESS, "" + PORT));
        }
    }

    @Test
    public void bindToForeignAddressRejected() throws Exception {
        assertEquals("error EPERM", SocketProbe.runInNetwork(guest1, namespacePid, "bind",
                GUEST2_ADDRESS, "0"));
        assertEquals("error EPERM", SocketProbe.runInNetwork(guest1, namespacePid, "bind",
                HOST_ADDRESS, "0"));
        assertEquals("ok " + GUEST1_ADDRESS, SocketProbe.runInNetwork(guest1, namespacePid,
                "bind", GUEST1_ADDRESS, "0"));
    }

    @Test
    public void udpSendtoLeavesFromGuestAddress() throws Exception {
        try (SocketProbe receiver = SocketProbe.startInNetwork(fixture.parent, namespacePid,
                "receive", HOST_ADDRESS, "" + UDP_PORT)) {
            assertEquals("ok " + HOST_ADDRESS, receiver.readLine());

            assertEquals("ok", SocketProbe.runInNetwork(guest1, namespacePid, "sendto",
                    HOST_ADDRESS, "" + UDP_PORT, "hello"));
            assertEquals("from " + GUEST1_ADDRESS + " hello", receiver.readLine());
        }
    }

    @Test
    public void guestWithoutIpv6Rejected() throws Exception {
        try (SocketProbe listener = SocketProbe.startInNetwork(fixture.parent, namespacePid,
                "listen", HOST_ADDRESS, "" + PORT, "host")) {
            assertEquals("ok " + HOST_ADDRESS + " " + PORT, listener.readLine());

            assertEquals("error EPERM", SocketProbe.runInNetwork(guest3, namespacePid,
                    "connect", HOST_ADDRESS, "" + PORT));
            assertEquals("error EPERM", SocketProbe.runInNetwork(guest3, namespacePid,
                    "sendto", HOST_ADDRESS, "" + UDP_PORT, "hello"));
            assertEquals("ok ::ffff:127.0.1.13", SocketProbe.runInNetwork(guest3, namespacePid,
                    "bind", "::", "0"));
            assertEquals("error EINVAL", SocketProbe.runInNetwork(guest3, namespacePid,
                    "bind-v6only", "::", "0"));
            assertEquals("ok " + GUEST1_ADDRESS, SocketProbe.runInNetwork(guest1, namespacePid,
                    "bind-v6only", "::", "0"));
        }
    }
}
