package io.vserver.kmod.bpf;

import org.junit.Test;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class GuestAddressesTest {

    @Test
    public void loopbackForFirstAndLastContext() {
        assertEquals("127.0.2.1", GuestAddresses.loopbackFor(2).getHostAddress());
        assertEquals("127.1.0.1", GuestAddresses.loopbackFor(256).getHostAddress());
        assertEquals("127.191.255.1", GuestAddresses.loopbackFor(49151).getHostAddress());
    }

    @Test
    public void loopbackForRejectsHostAndSpectator() {
        assertThrows(IllegalArgumentException.class, () -> GuestAddresses.loopbackFor(0));
        assertThrows(IllegalArgumentException.class, () -> GuestAddresses.loopbackFor(1));
        assertThrows(IllegalArgumentException.class, () -> GuestAddresses.loopbackFor(49152));
    }

    @Test
    public void valueLayoutWithoutIpv6() throws Exception {
        byte[] value = GuestAddresses.of(ipv4("192.0.2.10"), 2).toValue();

        assertEquals(GuestAddresses.VALUE_SIZE, value.length);
        assertArrayEquals(new byte[] {(byte) 192, 0, 2, 10}, slice(value, 0, 4));
        assertArrayEquals(new byte[] {127, 0, 2, 1}, slice(value, 4, 8));
        assertArrayEquals(new byte[16], slice(value, 8, 24));
        assertArrayEquals(new byte[4], slice(value, 24, 28));
    }

    @Test
    public void valueRoundTripWithIpv6() throws Exception {
        GuestAddresses addresses = new GuestAddresses(ipv4("192.0.2.10"),
                GuestAddresses.loopbackFor(300), Optional.of(ipv6("2001:db8::10")));
        byte[] value = addresses.toValue();

        assertEquals(addresses, GuestAddresses.fromValue(value));
        assertTrue("flags word is non-zero", value[24] != 0 || value[27] != 0);
    }

    @Test
    public void rejectsSharedLoopback() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GuestAddresses(ipv4("192.0.2.10"), ipv4("127.0.0.1"),
                        Optional.empty()));
        assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new GuestAddresses(
                ipv4("192.0.2.10"), ipv4("10.0.0.1"), Optional.empty()));
    }

    @Test
    public void rejectsWildcardAddresses() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> GuestAddresses.of(ipv4("0.0.0.0"), 2));
        assertThrows(IllegalArgumentException.class, () -> new GuestAddresses(ipv4("192.0.2.10"),
                GuestAddresses.loopbackFor(2), Optional.of(ipv6("::1"))));
        assertThrows(IllegalArgumentException.class, () -> new GuestAddresses(ipv4("192.0.2.10"),
                GuestAddresses.loopbackFor(2), Optional.of(ipv6("::"))));
    }

    private static Inet4Address ipv4(String address) throws Exception {
        return (Inet4Address) InetAddress.getByName(address);
    }

    private static Inet6Address ipv6(String address) throws Exception {
        return (Inet6Address) InetAddress.getByName(address);
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }
}
