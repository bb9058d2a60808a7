package io.vserver.network.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The host-side set-up the network element made for one running guest, stored in
 * {@code network.properties} in the guest's run directory, so that a later instance of the
 * element (after a bundle update, a restart of the host VM or a crash) removes exactly that.
 *
 * @param cgroupId         the cgroup v2 id of the guest's entry in the chbind map, or 0 when it has none
 * @param namespace        the host-side namespace file, or null for the host VM's own
 * @param device           the interface that carries {@code deviceAddresses}, or null
 * @param deviceAddresses  the addresses the element added to {@code device}, as {@code ADDRESS/PREFIX}
 * @param hostVeth         the host end of the guest's veth pair in isolated mode, or null
 * @param addresses        the addresses a bind-mode guest's sockets are locked to, so that no other
 *                         guest takes them while it runs
 */
record NetworkState(long cgroupId, Path namespace, String device, List<String> deviceAddresses, String hostVeth,
        List<String> addresses) {

    static final String FILE_NAME = "network.properties";

    NetworkState {
        deviceAddresses = List.copyOf(deviceAddresses);
        addresses = List.copyOf(addresses);
    }

    static NetworkState empty(Path namespace) {
        return new NetworkState(0, namespace, null, List.of(), null, List.of());
    }

    NetworkState withCgroupId(long id) {
        return new NetworkState(id, namespace, device, deviceAddresses, hostVeth, addresses);
    }

    NetworkState withDeviceAddresses(String name, List<String> added) {
        return new NetworkState(cgroupId, namespace, added.isEmpty() ? null : name, added, hostVeth, addresses);
    }

    NetworkState withHostVeth(String name) {
        return new NetworkState(cgroupId, namespace, device, deviceAddresses, name, addresses);
    }

    NetworkState withAddresses(List<String> locked) {
        return new NetworkState(cgroupId, namespace, device, deviceAddresses, hostVeth, locked);
    }

    /** Reads the state of a guest, or returns empty when the element made nothing for it. */
    static Optional<NetworkState> read(Path runDirectory) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(runDirectory.resolve(FILE_NAME), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String namespace = properties.getProperty("namespace");
        return Optional.of(new NetworkState(Long.parseUnsignedLong(properties.getProperty("cgroupId", "0")),
                namespace == null ? null : Path.of(namespace), properties.getProperty("device"),
                list(properties.getProperty("deviceAddresses")), properties.getProperty("hostVeth"),
                list(properties.getProperty("addresses"))));
    }

    private static List<String> list(String value) {
        List<String> list = new ArrayList<>();
        for (String item : (value == null ? "" : value).split(",")) {
            if (!item.isBlank()) {
                list.add(item.trim());
            }
        }
        return list;
    }

    /** Writes the state atomically into the guest's run directory. */
    void write(Path runDirectory) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("cgroupId", Long.toUnsignedString(cgroupId));
        if (namespace != null) {
            properties.setProperty("namespace", namespace.toString());
        }
        if (device != null) {
            properties.setProperty("device", device);
        }
        properties.setProperty("deviceAddresses", String.join(",", deviceAddresses));
        properties.setProperty("addresses", String.join(",", addresses));
        if (hostVeth != null) {
            properties.setProperty("hostVeth", hostVeth);
        }
        Files.createDirectories(runDirectory);
        Path temporary = runDirectory.resolve(FILE_NAME + ".tmp");
        try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(writer, "Host-side network state of the guest, removed when it stops");
        }
        Files.move(temporary, runDirectory.resolve(FILE_NAME), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    static void delete(Path runDirectory) throws IOException {
        Files.deleteIfExists(runDirectory.resolve(FILE_NAME));
    }
}
