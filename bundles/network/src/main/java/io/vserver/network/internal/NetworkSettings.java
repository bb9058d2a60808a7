package io.vserver.network.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;

/**
 * The network keys of one guest, parsed and checked.
 *
 * @param mode      {@code network.mode}; {@code bind} when unset and an address is set, else {@code none}
 * @param ipv4      the IPv4 address of {@code network.address}, or null when it has none
 * @param ipv6      the IPv6 address of {@code network.address}, or null when it has none
 * @param device    {@code network.device}: in bind mode the interface that carries the guest's
 *                  addresses; null when unset
 * @param namespace {@code network.namespace}: the host-side network namespace file, or null for
 *                  the host VM's own namespace
 * @param bridge    {@code network.bridge}: the bridge of isolated mode
 * @param gateway   {@code network.gateway}: the default route of isolated mode, or null
 */
record NetworkSettings(Mode mode, Address ipv4, Address ipv6, String device, Path namespace, String bridge,
        InetAddress gateway) {

    /** The values of {@code network.mode}. */
    enum Mode {
        NONE, HOST, BIND, ISOLATED;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An address with its prefix length, as {@code ip address add} takes it. */
    record Address(InetAddress address, int prefix) {

        /** Returns {@code ADDRESS/PREFIX}, such as {@code 10.0.0.2/24}. */
        String withPrefix() {
            return address.getHostAddress() + "/" + prefix;
        }

        boolean isLoopback() {
            return address.isLoopbackAddress();
        }

        @Override
        public String toString() {
            return withPrefix();
        }
    }

    static final String MODE = "network.mode";
    static final String ADDRESS = "network.address";
    static final String DEVICE = "network.device";
    static final String NAMESPACE = "network.namespace";
    static final String BRIDGE = "network.bridge";
    static final String GATEWAY = "network.gateway";

    /** Every key the element accepts. Other keys under {@code network.} are unknown. */
    static final List<String> KEYS = List.of(MODE, ADDRESS, DEVICE, NAMESPACE, BRIDGE, GATEWAY);

    static final String DEFAULT_BRIDGE = "vsbr0";

    static final String MODE_FORM = "none, host, bind or isolated";
    static final String ADDRESS_FORM = "one IPv4 address and at most one IPv6 address, separated by a comma, "
            + "each with an optional /PREFIX, such as 127.0.1.11 or 10.0.0.2/24,fd00::2/64";
    static final String DEVICE_FORM = "the name of an existing network interface, such as eth0, of at most 15 "
            + "letters, digits and the characters . _ -";
    static final String NAMESPACE_FORM = "a network namespace name under /run/netns or the absolute path of a "
            + "namespace file";
    static final String BRIDGE_FORM = DEVICE_FORM.replace("an existing network interface, such as eth0",
            "a bridge, such as " + DEFAULT_BRIDGE);
    static final String GATEWAY_FORM = "an IPv4 address in the guest's subnet, such as 10.0.0.1";

    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,15}");
    private static final Pattern NAMESPACE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Path NETNS_DIRECTORY = Path.of("/run/netns");

    /**
     * Parses and checks the network keys of {@code spec}.
     *
     * @throws InvalidConfigurationException naming the key, the value and the accepted form
     */
    static NetworkSettings of(GuestSpec spec) throws InvalidConfigurationException {
        String source = spec.label();
        for (String key : spec.settings().keySet()) {
            if (key.startsWith("network.") && !KEYS.contains(key)) {
                throw InvalidConfigurationException.unknownKey(source, key, String.join(", ", KEYS));
            }
        }
        Optional<String> addressValue = spec.get(ADDRESS);
        Mode mode = parseMode(source, spec.get(MODE).orElse(addressValue.isPresent() ? "bind" : "none"));
        Address ipv4 = null;
        Address ipv6 = null;
        if (addressValue.isPresent()) {
            List<Address> addresses = parseAddresses(source, addressValue.get());
            ipv4 = addresses.stream().filter(a -> a.address() instanceof Inet4Address).findFirst().orElse(null);
            ipv6 = addresses.stream().filter(a -> a.address() instanceof Inet6Address).findFirst().orElse(null);
        }
        String device = spec.get(DEVICE).map(value -> value.trim()).orElse(null);
        if (device != null && !INTERFACE_NAME.matcher(device).matches()) {
            throw InvalidConfigurationException.invalidValue(source, DEVICE, device, DEVICE_FORM);
        }
        Path namespace = spec.get(NAMESPACE).isPresent() ? parseNamespace(source, spec.get(NAMESPACE).get()) : null;
        String bridge = spec.get(BRIDGE, DEFAULT_BRIDGE).trim();
        if (!INTERFACE_NAME.matcher(bridge).matches()) {
            throw InvalidConfigurationException.invalidValue(source, BRIDGE, bridge, BRIDGE_FORM);
        }
        InetAddress gateway = spec.get(GATEWAY).isPresent() ? parseGateway(source, spec.get(GATEWAY).get()) : null;
        NetworkSettings settings = new NetworkSettings(mode, ipv4, ipv6, device, namespace, bridge, gateway);
        settings.checkMode(spec);
        return settings;
    }

    private static Mode parseMode(String source, String value) throws InvalidConfigurationException {
        try {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw InvalidConfigurationException.invalidValue(source, MODE, value, MODE_FORM);
        }
    }

    /** Checks which keys the mode accepts and needs. */
    private void checkMode(GuestSpec spec) throws InvalidConfigurationException {
        String source = spec.label();
        List<String> allowed = switch (mode) {
            case NONE, HOST -> List.of(MODE);
            case BIND -> List.of(MODE, ADDRESS, DEVICE, NAMESPACE);
            case ISOLATED -> List.of(MODE, ADDRESS, NAMESPACE, BRIDGE, GATEWAY);
        };
        for (String key : KEYS) {
            if (!allowed.contains(key) && spec.get(key).isPresent()) {
                throw InvalidConfigurationException.invalidValue(source, key, spec.get(key).get(), "no value with "
                        + MODE + "=" + mode.key() + ": " + key + " applies only to the modes "
                        + modesOf(key) + "; remove it or change " + MODE);
            }
        }
        if ((mode == Mode.BIND || mode == Mode.ISOLATED) && ipv4 == null) {
            String value = spec.get(ADDRESS).orElse(null);
            if (value == null) {
                throw InvalidConfigurationException.missingKey(source, ADDRESS, ADDRESS_FORM + " (" + MODE + "="
                        + mode.key() + " needs an IPv4 address)");
            }
            throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM);
        }
        if (mode == Mode.BIND) {
            checkBindAddresses(source, spec.get(ADDRESS).orElseThrow());
        }
        if (mode == Mode.ISOLATED && gateway != null && !(gateway instanceof Inet4Address)) {
            throw InvalidConfigurationException.invalidValue(source, GATEWAY, spec.get(GATEWAY).get(), GATEWAY_FORM);
        }
    }

    private static String modesOf(String key) {
        return switch (key) {
            case DEVICE -> "bind";
            case BRIDGE, GATEWAY -> "isolated";
            default -> "bind and isolated";
        };
    }

    private void checkBindAddresses(String source, String value) throws InvalidConfigurationException {
        byte[] bytes = ipv4.address().getAddress();
        if (bytes[0] == 127 && bytes[3] == 1) {
            throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM
                    + "; addresses 127.X.Y.1 are the guests' private loopback addresses, so pick another one "
                    + "such as 127.0.1.11");
        }
        if (device != null && ipv4.isLoopback() && (ipv6 == null || ipv6.isLoopback())) {
            throw InvalidConfigurationException.invalidValue(source, DEVICE, device, "no value: the addresses "
                    + value + " are in 127.0.0.0/8, which the loopback device carries already; remove " + DEVICE);
        }
        for (Address address : new Address[] {ipv4, ipv6}) {
            if (address != null && address.prefix() != (address.address() instanceof Inet4Address ? 32 : 128)) {
                throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM
                        + ", without a /PREFIX in bind mode: the guest's address is added as a single address "
                        + "(/32 or /128), so that removing it never takes another address of the same subnet "
                        + "with it, and the route to the subnet comes from the host's own address on the device");
            }
        }
        if (ipv6 != null && ipv6.address().isLinkLocalAddress()) {
            throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM
                    + ", with an IPv6 address that is not link-local");
        }
    }

    /** Parses {@code network.address}: one IPv4 address and at most one IPv6 address. */
    static List<Address> parseAddresses(String source, String value) throws InvalidConfigurationException {
        List<Address> addresses = new ArrayList<>();
        int ipv4Count = 0;
        int ipv6Count = 0;
        for (String item : value.split(",")) {
            Address address = parseAddress(source, value, item.trim());
            if (address.address() instanceof Inet4Address) {
                ipv4Count++;
            } else {
                ipv6Count++;
            }
            addresses.add(address);
        }
        if (ipv4Count > 1 || ipv6Count > 1) {
            throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM);
        }
        return addresses;
    }

    private static Address parseAddress(String source, String value, String item)
            throws InvalidConfigurationException {
        String text = item;
        Integer prefix = null;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            text = item.substring(0, slash);
            try {
                prefix = Integer.parseInt(item.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM);
            }
        }
        InetAddress address = parseLiteral(text).orElseThrow(
                () -> InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM));
        int maxPrefix = address instanceof Inet4Address ? 32 : 128;
        if (prefix == null) {
            prefix = maxPrefix;
        }
        if (prefix < 1 || prefix > maxPrefix || address.isAnyLocalAddress() || address.isMulticastAddress()
                || (address instanceof Inet6Address && address.isLoopbackAddress())
                || (address instanceof Inet4Address && text.equals("127.0.0.1"))) {
            throw InvalidConfigurationException.invalidValue(source, ADDRESS, value, ADDRESS_FORM
                    + ", each a unicast address other than 127.0.0.1 and ::1");
        }
        return new Address(address, prefix);
    }

    /** Parses an IPv4 or IPv6 literal without name lookup, or returns empty. */
    static Optional<InetAddress> parseLiteral(String text) {
        boolean ipv4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean ipv6 = text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return Optional.empty();
        }
        if (ipv4) {
            for (String part : text.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return Optional.empty();
                }
            }
        }
        try {
            // A literal is parsed without a name lookup.
            InetAddress address = InetAddress.getByName(text);
            if (ipv6 && address instanceof Inet4Address) {
                return Optional.empty();
            }
            return Optional.of(address);
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Path parseNamespace(String source, String value) throws InvalidConfigurationException {
        String text = value.trim();
        if (NAMESPACE_NAME.matcher(text).matches() && !text.equals(".") && !text.equals("..")) {
            return NETNS_DIRECTORY.resolve(text);
        }
        Path path = Path.of(text);
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw InvalidConfigurationException.invalidValue(source, NAMESPACE, value, NAMESPACE_FORM);
        }
        return path;
    }

    private static InetAddress parseGateway(String source, String value) throws InvalidConfigurationException {
        return parseLiteral(value.trim()).filter(address -> address instanceof Inet4Address)
                .orElseThrow(() -> InvalidConfigurationException.invalidValue(source, GATEWAY, value, GATEWAY_FORM));
    }

    /** Returns the addresses, IPv4 first, for the guest's status. */
    List<String> addressList() {
        List<String> list = new ArrayList<>();
        if (ipv4 != null) {
            list.add(ipv4.address().getHostAddress());
        }
        if (ipv6 != null) {
            list.add(ipv6.address().getHostAddress());
        }
        return list;
    }

    /** Returns the addresses that must be added to {@link #device()}: those outside 127.0.0.0/8 and ::1. */
    List<Address> deviceAddresses() {
        List<Address> list = new ArrayList<>();
        for (Address address : new Address[] {ipv4, ipv6}) {
            if (address != null && !address.isLoopback()) {
                list.add(address);
            }
        }
        return list;
    }
}
