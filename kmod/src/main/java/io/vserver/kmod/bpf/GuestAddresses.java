package io.vserver.kmod.bpf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Optional;

/**
 * The addresses one guest's sockets are locked to: its IPv4 address, an optional IPv6 address
 * and its loopback address, to which the programs map 127.0.0.1 inside the guest.
 *
 * @param ipv4     the guest's IPv4 address; not a wildcard or multicast address
 * @param loopback the guest's private loopback address in 127.0.0.0/8, other than 127.0.0.1;
 *                 {@link #loopbackFor(int)} derives one from the context id
 * @param ipv6     the guest's IPv6 address, or empty when the guest has none; not a wildcard,
 *                 {@code ::1}, v4-mapped or multicast address
 */
public record GuestAddresses(Inet4Address ipv4, Inet4Address loopback,
        Optional<Inet6Address> ipv6) {

    /** The size of {@code struct chbind_guest} in chbind.bpf.c. */
    static final int VALUE_SIZE = 28;

    /** {@code CHBIND_HAS_IPV6} in chbind.bpf.c. */
    private static final int HAS_IPV6 = 1;

    private static final int MIN_CONTEXT = 2;
    private static final int MAX_CONTEXT = 49151;

    public GuestAddresses {
        Objects.requireNonNull(ipv4, "ipv4");
        Objects.requireNonNull(loopback, "loopback");
        Objects.requireNonNull(ipv6, "ipv6");
        if (ipv4.isAnyLocalAddress() || ipv4.isMulticastAddress()) {
            throw new IllegalArgumentException("Invalid guest IPv4 address "
                    + ipv4.getHostAddress() + ": expected a unicast address");
        }
        byte[] loopbackBytes = loopback.getAddress();
        if (loopbackBytes[0] != 127 || loopback.getHostAddress().equals("127.0.0.1")) {
            throw new IllegalArgumentException("Invalid guest loopback address "
                    + loopback.getHostAddress() + ": expected an address in 127.0.0.0/8 other "
                    + "than 127.0.0.1, which every guest shares");
        }
        ipv6.ifPresent(GuestAddresses::checkIpv6);
    }

    private static void checkIpv6(Inet6Address address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()
                || address.isMulticastAddress()) {
            throw new IllegalArgumentException("Invalid guest IPv6 address "
                    + address.getHostAddress() + ": expected a unicast address other than ::1");
        }
    }

    /** Returns the addresses of a guest without IPv6 and with the loopback address of its xid. */
    public static GuestAddresses of(Inet4Address ipv4, int context) {
        return new GuestAddresses(ipv4, loopbackFor(context), Optional.empty());
    }

    /**
     * Returns the loopback address of a context: {@code 127.H.L.1}, where H and L are the high
     * and low byte of the context id, so xid 2 has 127.0.2.1 and xid 49151 has 127.191.255.1.
     * Contexts 0 (host) and 1 (spectator) have none.
     *
     * @throws IllegalArgumentException unless the context is in 2..49151
     */
    public static Inet4Address loopbackFor(int context) {
        if (context < MIN_CONTEXT || context > MAX_CONTEXT) {
            throw new IllegalArgumentException("Invalid context " + context + ": expected "
                    + MIN_CONTEXT + ".." + MAX_CONTEXT);
        }
        byte[] address = {127, (byte) (context >>> 8), (byte) context, 1};
        try {
            return (Inet4Address) InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4-byte address is always valid", e);
        }
    }

    /** Encodes the addresses as {@code struct chbind_guest}: addresses in network byte order. */
    byte[] toValue() {
        ByteBuffer value = ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.nativeOrder());
        value.put(ipv4.getAddress());
        value.put(loopback.getAddress());
        value.put(ipv6.map(Inet6Address::getAddress).orElse(new byte[16]));
        value.putInt(ipv6.isPresent() ? HAS_IPV6 : 0);
        return value.array();
    }

    /** Decodes {@code struct chbind_guest}, the inverse of {@link #toValue()}. */
    static GuestAddresses fromValue(byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        byte[] ipv4 = new byte[4];
        byte[] loopback = new byte[4];
        byte[] ipv6 = new byte[16];
        buffer.get(ipv4).get(loopback).get(ipv6);
        boolean hasIpv6 = (buffer.getInt() & HAS_IPV6) != 0;
        try {
            return new GuestAddresses((Inet4Address) InetAddress.getByAddress(ipv4),
                    (Inet4Address) InetAddress.getByAddress(loopback),
                    hasIpv6 ? Optional.of(Inet6Address.getByAddress(null, ipv6, null))
                            : Optional.empty());
        } catch (UnknownHostException e) {
            throw new AssertionError("fixed-size addresses are always valid", e);
        }
    }

    @Override
    public String toString() {
        return "ipv4 " + ipv4.getHostAddress() + ", loopback " + loopback.getHostAddress()
                + ipv6.map(address -> ", ipv6 " + address.getHostAddress()).orElse("");
    }
}
