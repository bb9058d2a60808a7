package io.vserver.kmod.bpf;

import io.vserver.kmod.KernelTestSupport;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Runs the chbind programs against real sockets: two guests in cgroups of their own, at
 * 127.0.1.11 (context 2) and 127.0.1.12 (context 3), with the programs attached once to
 * their common parent cgroup. The host side listens on 127.0.1.1 and 127.0.0.1.
 */
public class ChbindKernelTest {

    private static final String GUEST1_ADDRESS = "127.0.1.11";
    private static final String GUEST2_ADDRESS = "127.0.1.12";
    private static final String HOST_ADDRESS = "127.0.1.1";
    private static final int PORT = 8080;
    private static final int LOOPBACK_PORT = 9090;
    private static final int TIMEOUT_MILLIS = 5000;

    private ChbindFixture fixture;
    private Chbind chbind;
    private Path guest1;
    private Path guest2;

    @Before
    public void setUp() throws Exception {
        KernelTestSupport.assumeRoot();
        assertTrue("missing " + ChbindFixture.OBJECT_FILE + ": build kmod with clang first",
                Files.isRegularFile(ChbindFixture.OBJECT_FILE));
        fixture = new ChbindFixture();
        guest1 = fixture.createGuest("guest1");
        guest2 = fixture.createGuest("guest2");
        chbind = Chbind.load(ChbindFixture.OBJECT_FILE, fixture.pinDirectory);
        assertTrue(chbind.attach(fixture.parent));
        chbind.map().put(ChbindLinks.cgroupId(guest1),
                GuestAddresses.of(ChbindFixture.ipv4(GUEST1_ADDRESS), 2));
        chbind.map().put(ChbindLinks.cgroupId(guest2),
                GuestAddresses.of(ChbindFixture.ipv4(GUEST2_ADDRESS), 3));
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
    public void guestsShareWildcardPort() throws Exception {
        SocketProbe listener1 = fixture.start(guest1, "listen", "0.0.0.0", "" + PORT, "guest1");
        SocketProbe listener2 = fixture.start(guest2, "listen", "0.0.0.0", "" + PORT, "guest2");

        assertEquals("ok " + GUEST1_ADDRESS + " " + PORT, listener1.readLine());
        assertEquals("ok " + GUEST2_ADDRESS + " " + PORT, listener2.readLine());
        assertEquals("guest1 127.0.0.1", request(GUEST1_ADDRESS, PORT));
        assertEquals("guest2 127.0.0.1", request(GUEST2_ADDRESS, PORT));
    }

    @Test
    public void bindToForeignAddressRejected() throws Exception {
        assertEquals("error EPERM", SocketProbe.run(guest1, "bind", GUEST2_ADDRESS, "0"));
        assertEquals("error EPERM", SocketProbe.run(guest1, "bind", HOST_ADDRESS, "0"));
        assertEquals("ok " + GUEST1_ADDRESS,
                SocketProbe.run(guest1, "bind", GUEST1_ADDRESS, "0"));
    }

    @Test
    public void connectLeavesFromGuestAddress() throws Exception {
        try (ServerSocket server = listen(HOST_ADDRESS)) {
            SocketProbe client = fixture.start(guest1, "connect", HOST_ADDRESS,
                    "" + server.getLocalPort());
            try (Socket accepted = server.accept()) {
                assertEquals(GUEST1_ADDRESS, accepted.getInetAddress().getHostAddress());
                accepted.getOutputStream().write("host\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("ok " + GUEST1_ADDRESS + " " + HOST_ADDRESS + " host",
                    client.readLine());
        }
    }

    @Test
    public void udpSendtoLeavesFromGuestAddress() throws Exception {
        try (DatagramSocket server = new DatagramSocket(
                new InetSocketAddress(InetAddress.getByName(HOST_ADDRESS), 0))) {
            server.setSoTimeout(TIMEOUT_MILLIS);

            assertEquals("ok", SocketProbe.run(guest2, "sendto", HOST_ADDRESS,
                    "" + server.getLocalPort(), "hello"));

            DatagramPacket packet = new DatagramPacket(new byte[64], 64);
            server.receive(packet);
            assertEquals(GUEST2_ADDRESS, packet.getAddress().getHostAddress());
            assertEquals("hello", new String(packet.getData(), 0, packet.getLength(),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    public void guestLoopbackIsPrivate() throws Exception {
        SocketProbe listener = fixture.start(guest1, "listen", "127.0.0.1", "" + LOOPBACK_PORT,
                "guest1");
        assertEquals("ok 127.0.0.1 " + LOOPBACK_PORT, listener.readLine());

        assertEquals("ok 127.0.0.1 127.0.0.1 guest1 127.0.0.1",
                SocketProbe.run(guest1, "connect", "127.0.0.1", "" + LOOPBACK_PORT));
        assertEquals("error ECONNREFUSED",
                SocketProbe.run(guest2, "connect", "127.0.0.1", "" + LOOPBACK_PORT));
        assertEquals("error EPERM",
                SocketProbe.run(guest2, "connect", "127.0.2.1", "" + LOOPBACK_PORT));
        assertEquals("guest1 127.0.0.1", request("127.0.2.1", LOOPBACK_PORT));
    }

    @Test
    public void wildcardListenerReachableAsLocalhost() throws Exception {
        SocketProbe listener = fixture.start(guest1, "listen", "0.0.0.0", "" + PORT, "guest1");
        assertEquals("ok " + GUEST1_ADDRESS + " " + PORT, listener.readLine());

        assertEquals("ok " + GUEST1_ADDRESS + " " + GUEST1_ADDRESS + " guest1 " + GUEST1_ADDRESS,
                SocketProbe.run(guest1, "connect", "127.0.0.1", "" + PORT));
    }

    @Test
    public void hostLocalhostUnreachable() throws Exception {
        try (ServerSocket server = listen("127.0.0.1")) {
            assertEquals("error ECONNREFUSED", SocketProbe.run(guest1, "connect", "127.0.0.1",
                    "" + server.getLocalPort()));
        }
    }

    @Test
    public void udpLocalhostBetweenGuestProcesses() throws Exception {
        SocketProbe receiver = fixture.start(guest1, "receive", "127.0.0.1", "" + LOOPBACK_PORT);
        assertEquals("ok 127.0.0.1", receiver.readLine());

        assertEquals("ok", SocketProbe.run(guest1, "sendto", "127.0.0.1", "" + LOOPBACK_PORT,
                "hello"));
        assertEquals("from 127.0.0.1 hello", receiver.readLine());
    }

    @Test
    public void childCgroupOfGuestRestricted() throws Exception {
        Path child = fixture.createGuest("guest1/child");

        assertEquals("error EPERM", SocketProbe.run(child, "bind", GUEST2_ADDRESS, "0"));
        assertEquals("ok " + GUEST1_ADDRESS, SocketProbe.run(child, "bind", "0.0.0.0", "0"));
    }

    @Test
    public void rawSocketsRejected() throws Exception {
        assertEquals("error EPERM", SocketProbe.run(guest1, "raw"));
        assertEquals("error EPERM", SocketProbe.run(guest1, "raw6"));
        assertEquals("the parent cgroup has no map entry", "ok",
                SocketProbe.run(fixture.parent, "raw"));
    }

    @Test
    public void ipv6WildcardBecomesMappedGuestAddress() throws Exception {
        SocketProbe listener = fixture.start(guest1, "listen", "::", "" + PORT, "guest1");
        assertEquals("ok ::ffff:" + GUEST1_ADDRESS + " " + PORT, listener.readLine());

        assertEquals("guest1 ::ffff:127.0.0.1", request(GUEST1_ADDRESS, PORT));
        assertEquals("error EPERM", SocketProbe.run(guest2, "bind", "::ffff:" + GUEST1_ADDRESS,
                "0"));
    }

    @Test
    public void ipv6LocalhostIsGuestLoopback() throws Exception {
        SocketProbe listener = fixture.start(guest1, "listen", "::1", "" + LOOPBACK_PORT,
                "guest1");
        assertEquals("ok ::ffff:127.0.0.1 " + LOOPBACK_PORT, listener.readLine());

        assertEquals("ok ::ffff:127.0.0.1 ::ffff:127.0.0.1 guest1 ::ffff:127.0.0.1",
                SocketProbe.run(guest1, "connect", "::1", "" + LOOPBACK_PORT));
        assertEquals("ok 127.0.0.1 127.0.0.1 guest1 ::ffff:127.0.0.1",
                SocketProbe.run(guest1, "connect", "127.0.0.1", "" + LOOPBACK_PORT));
        assertEquals("error ECONNREFUSED",
                SocketProbe.run(guest2, "connect", "::1", "" + LOOPBACK_PORT));
    }

    @Test
    public void reloadKeepsPinnedState() throws Exception {
        chbind.close();
        chbind = Chbind.load(ChbindFixture.OBJECT_FILE, fixture.pinDirectory);

        assertEquals(Optional.of(GuestAddresses.of(ChbindFixture.ipv4(GUEST1_ADDRESS), 2)),
                chbind.map().get(ChbindLinks.cgroupId(guest1)));
        assertEquals("already attached", false, chbind.attach(fixture.parent));
        assertEquals("error EPERM", SocketProbe.run(guest1, "bind", GUEST2_ADDRESS, "0"));
    }

    @Test
    public void removedEntryUnrestrictsGuest() throws Exception {
        assertTrue(chbind.map().remove(ChbindLinks.cgroupId(guest2)));

        assertEquals(Optional.empty(), chbind.map().get(ChbindLinks.cgroupId(guest2)));
        assertEquals("ok " + GUEST1_ADDRESS, SocketProbe.run(guest2, "bind", GUEST1_ADDRESS,
                "0"));
        assertEquals("error EPERM", SocketProbe.run(guest1, "bind", GUEST2_ADDRESS, "0"));
    }

    @Test
    public void detachRemovesLinks() throws Exception {
        long parentId = ChbindLinks.cgroupId(fixture.parent);
        assertEquals(chbind.programNames().size(),
                ChbindLinks.pinnedPrograms(fixture.pinDirectory, parentId).size());

        assertTrue(chbind.detach(fixture.parent));

        assertEquals(0, ChbindLinks.pinnedPrograms(fixture.pinDirectory, parentId).size());
        assertEquals("ok " + GUEST2_ADDRESS, SocketProbe.run(guest1, "bind", GUEST2_ADDRESS,
                "0"));
    }

    @Test
    public void loadMissingObjectFails() throws Exception {
        Path directory = Files.createTempDirectory("chbind-test-");
        Path missing = directory.resolve("missing.bpf.o");
        try {
            SyscallException e = assertThrows(SyscallException.class,
                    () -> Chbind.load(missing, fixture.pinDirectory));
            assertEquals("bpf_object__open_file", e.syscall());
            assertEquals(missing.toString(), e.object());
            assertEquals(Errno.ENOENT, e.errno());
        } finally {
            Files.delete(directory);
        }
    }

    @Test
    public void attachToPlainDirectoryFails() throws Exception {
        Path directory = Files.createTempDirectory("chbind-test-");
        try {
            SyscallException e = assertThrows(SyscallException.class,
                    () -> chbind.attach(directory));
            assertEquals("bpf_program__attach_cgroup", e.syscall());
            assertTrue(e.getMessage(), e.getMessage().contains(directory.toString()));
            long id = ChbindLinks.cgroupId(directory);
            assertFalse(Files.exists(ChbindLinks.linkDirectory(fixture.pinDirectory, id)));
        } finally {
            Files.delete(directory);
        }
    }

    @Test
    public void mapOpenWithoutPinsFails() {
        Path empty = fixture.pinDirectory.resolve("links");

        SyscallException e = assertThrows(SyscallException.class, () -> ChbindMap.open(empty));
        assertEquals("bpf_obj_get", e.syscall());
        assertEquals(Errno.ENOENT, e.errno());
    }

    private static ServerSocket listen(String address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
        server.setSoTimeout(TIMEOUT_MILLIS);
        return server;
    }

    /** Connects from the host and returns the line the guest's listener sends. */
    private static String request(String address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName(address), port),
                    TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            BufferedReader reader = new BufferedReader(new InputStreamReader(
                    socket.getInputStream(), StandardCharsets.UTF_8));
            String line = reader.readLine();
            if (line == null) {
                fail("listener at " + address + ":" + port + " closed without a line");
            }
            return line;
        }
    }
}
