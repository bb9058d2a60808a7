package io.vserver.network.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ip} in a network namespace: the host VM's own, or another one through
 * {@code nsenter --net=FILE}. Interfaces, addresses and routes are changed this way rather than
 * through rtnetlink from the JVM, because the namespace switch then happens in a short-lived
 * process instead of a JVM thread, and the error messages of {@code ip} are the ones operators
 * are used to.
 */
final class IpCommand {

    private static final long TIMEOUT_SECONDS = 10;

    /** The namespace file, or null for the host VM's own namespace. */
    private final Path namespace;

    private IpCommand(Path namespace) {
        this.namespace = namespace;
    }

    /** Returns the command for the host VM's network namespace. */
    static IpCommand host() {
        return new IpCommand(null);
    }

    /** Returns the command for a namespace file, or the host VM's namespace when it is null. */
    static IpCommand in(Path namespace) {
        return new IpCommand(namespace);
    }

    /** Returns the command for the network namespace of a process. */
    static IpCommand ofProcess(int pid) {
        return new IpCommand(Path.of("/proc", String.valueOf(pid), "ns", "net"));
    }

    Path namespace() {
        return namespace;
    }

    /**
     * Runs {@code ip ARGUMENTS} and returns its standard output.
     *
     * @throws IOException naming the command, its exit status and what it printed on error
     */
    String run(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        if (namespace != null) {
            command.add("nsenter");
            command.add("--net=" + namespace);
            command.add("--");
        }
        command.add("ip");
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IOException("Cannot run " + String.join(" ", command) + ": " + e.getMessage()
                    + "; install the Debian packages iproute2 and util-linux", e);
        }
        try {
            String output = read(process.getInputStream());
            String errors = read(process.getErrorStream());
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed with exit status " + process.exitValue()
                        + ": " + errors.strip());
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " was interrupted", e);
        }
    }

    /** Returns true when the interface exists in the namespace. */
    boolean hasLink(String name) throws IOException {
        try {
            run("link", "show", "dev", name);
            return true;
        } catch (IOException e) {
            if (e.getMessage().contains("does not exist")) {
                return false;
            }
            throw e;
        }
    }

    /** Returns true when the interface carries the address with the same prefix length. */
    boolean hasAddress(String device, NetworkSettings.Address address) throws IOException {
        String output = run("-o", "address", "show", "dev", device);
        for (String line : output.split("\n")) {
            String[] words = line.trim().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if ((words[i].equals("inet") || words[i].equals("inet6")) && matches(words[i + 1], address)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Compares {@code ip}'s {@code ADDRESS/PREFIX} with an address, whatever the IPv6 spelling. */
    private static boolean matches(String word, NetworkSettings.Address address) {
        int slash = word.indexOf('/');
        if (slash < 0 || !word.substring(slash + 1).equals(String.valueOf(address.prefix()))) {
            return false;
        }
        return NetworkSettings.parseLiteral(word.substring(0, slash)).filter(address.address()::equals).isPresent();
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
