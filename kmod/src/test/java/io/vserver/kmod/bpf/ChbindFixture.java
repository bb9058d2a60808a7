package io.vserver.kmod.bpf;

import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test's own cgroups and pin directory: a parent cgroup {@code vserver-test-bpf-RANDOM} on
 * the cgroup2 hierarchy with one child cgroup per guest, and the pin directory
 * {@code /sys/fs/bpf/vserver-test-RANDOM}. Removes everything it created on {@link #close()}.
 */
final class ChbindFixture implements AutoCloseable {

    /** Where the build puts the object file, relative to the module directory. */
    static final Path OBJECT_FILE = Path.of(System.getProperty("basedir", "."))
            .resolve("target/bpf/chbind.bpf.o");

    final Path parent;
    final Path pinDirectory;
    private final List<Path> guests = new ArrayList<>();
    private final List<SocketProbe> probes = new ArrayList<>();
    private final List<Process> namespaceHolders = new ArrayList<>();

    ChbindFixture() throws IOException {
        CgroupHierarchy unified = CgroupHierarchies.discover().unified().orElseThrow(
                () -> new IllegalStateException("no cgroup2 hierarchy is mounted"));
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        parent = unified.mountPoint().resolve("vserver-test-bpf-" + suffix);
        pinDirectory = BpfFileSystem.DEFAULT_MOUNT_POINT.resolve("vserver-test-" + suffix);
        Files.createDirectory(parent);
    }

    /** Creates a guest cgroup below the parent; a name such as {@code guest1/sub} nests it. */
    Path createGuest(String name) throws IOException {
        Path guest = Files.createDirectory(parent.resolve(name));
        guests.add(guest);
        return guest;
    }

    /** Starts a long-running probe that {@link #close()} kills. */
    SocketProbe start(Path cgroup, String... arguments) throws IOException {
        SocketProbe probe = SocketProbe.start(cgroup, arguments);
        probes.add(probe);
        return probe;
    }

    /**
     * Starts a process in a new network namespace with loopback up and the IPv6 addresses on
     * it, and returns its pid once the addresses are set. {@link #close()} kills it, which
     * frees the namespace.
     */
    long startNetworkNamespace(String... ipv6Addresses) throws IOException {
        StringBuilder script = new StringBuilder("ip link set lo up");
        for (String address : ipv6Addresses) {
            script.append(" && ip -6 addr add ").append(address).append("/128 dev lo nodad");
        }
        script.append(" && echo ready && exec sleep 600");
        Process holder = new ProcessBuilder("unshare", "--net", "sh", "-c", script.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        namespaceHolders.add(holder);
        BufferedReader output = new BufferedReader(new InputStreamReader(
                holder.getInputStream(), StandardCharsets.UTF_8));
        String line = output.readLine();
        if (!"ready".equals(line)) {
            throw new IOException("network namespace setup failed: " + script);
        }
        return holder.pid();
    }

    static Inet4Address ipv4(String address) throws IOException {
        return (Inet4Address) InetAddress.getByName(address);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (SocketProbe probe : probes) {
            probe.close();
        }
        for (Process holder : namespaceHolders) {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        if (Files.isDirectory(pinDirectory)) {
            for (long cgroupId : ChbindLinks.attachedCgroups(pinDirectory)) {
                ChbindLinks.detach(pinDirectory, cgroupId);
            }
            deleteTree(pinDirectory);
        }
        for (int index = guests.size() - 1; index >= 0; index--) {
            removeCgroup(guests.get(index));
        }
        removeCgroup(parent);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** Removes an empty cgroup, waiting for exited processes to leave it (EBUSY until then). */
    private static void removeCgroup(Path cgroup) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                Files.deleteIfExists(cgroup);
                return;
            } catch (DirectoryNotEmptyException e) {
                throw e;
            } catch (FileSystemException e) {
                if (attempt >= 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
