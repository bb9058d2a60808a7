package io.vserver.bench.network;

import io.vserver.kmod.bpf.GuestAddresses;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cgroup side of the chbind overhead benchmark, which bench/chbind.sh runs as root.
 *
 * <pre>
 * java -cp CLASSPATH io.vserver.bench.network.ChbindBench --object chbind.bpf.o
 *     [--address 127.0.1.99] [--context 2]
 * </pre>
 *
 * <p>Creates the cgroups and pins of {@link ChbindBenchSetup}, then prints one
 * {@code KEY=VALUE} line each for {@code hooked}, {@code plain} (the two cgroup directories a
 * caller moves its measured processes into), {@code pins} and {@code programs}, followed by
 * {@code ready}. It keeps everything in place until its standard input reaches end of file,
 * then removes it and exits with 0. SIGTERM and SIGINT remove it as well, through a shutdown
 * hook. A failed setup or cleanup prints the reason to standard error and exits with 1, and
 * a bad command line exits with 2.
 */
public final class ChbindBench {

    private static final String USAGE = "usage: ChbindBench --object FILE [--address IPV4] "
            + "[--context N]";

    private static final String DEFAULT_ADDRESS = "127.0.1.99";
    private static final int DEFAULT_CONTEXT = 2;

    /** An invalid command line, reported with the usage. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private record Options(Path objectFile, Inet4Address address, int context) {
    }

    private ChbindBench() {
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (UsageException e) {
            System.err.println("ChbindBench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            run(options, System.in, System.out);
        } catch (IOException | RuntimeException e) {
            System.err.println("ChbindBench: " + e.getMessage());
            for (Throwable suppressed : e.getSuppressed()) {
                System.err.println("ChbindBench: also: " + suppressed.getMessage());
            }
            System.exit(1);
        }
    }

    /**
     * Sets up, reports the paths on out, waits for end of file on in and removes everything.
     * A shutdown hook removes everything when a signal ends the JVM during the wait.
     * NOTE: a signal during the setup itself leaves what the setup made so far in place;
     * bench/chbind.sh removes such leftovers by their names.
     */
    static void run(Options options, InputStream in, PrintStream out) throws IOException {
        AtomicReference<ChbindBenchSetup> current = new AtomicReference<>();
        Thread cleanupOnSignal = new Thread(() -> closeOnShutdown(current.get()),
                "chbind-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanupOnSignal);

        try (ChbindBenchSetup setup = ChbindBenchSetup.create(options.objectFile(),
                options.address(), options.context())) {
            current.set(setup);
            out.println("hooked=" + setup.hookedGuest());
            out.println("plain=" + setup.plainGuest());
            out.println("pins=" + setup.pinDirectory());
            out.println("programs=" + String.join(",", setup.programNames()));
            out.println("ready");
            out.flush();
            waitForEndOfFile(in);
        }
        Runtime.getRuntime().removeShutdownHook(cleanupOnSignal);
    }

    private static void closeOnShutdown(ChbindBenchSetup setup) {
        if (setup == null) {
            return;
        }
        try {
            setup.close();
        } catch (IOException e) {
            System.err.println("ChbindBench: " + e.getMessage());
        }
    }

    private static void waitForEndOfFile(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // Input other than end of file carries no meaning.
        }
    }

    private static Options parse(String[] args) throws UsageException {
        Path objectFile = null;
        String address = DEFAULT_ADDRESS;
        String context = Integer.toString(DEFAULT_CONTEXT);
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new UsageException("missing value of " + args[i]);
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--object" -> objectFile = Path.of(value);
                case "--address" -> address = value;
                case "--context" -> context = value;
                default -> throw new UsageException("unknown option " + args[i]);
            }
        }
        if (objectFile == null) {
            throw new UsageException("missing --object");
        }
        if (!Files.isRegularFile(objectFile)) {
            throw new UsageException("invalid --object " + objectFile
                    + ": not a file (build it with kmod/src/main/bpf/build.sh)");
        }
        return new Options(objectFile, parseIpv4(address), parseContext(context));
    }

    /** Parses an IPv4 literal in 127.0.0.0/8, so the benchmark binds only loopback addresses. */
    private static Inet4Address parseIpv4(String text) throws UsageException {
        try {
            if (text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
                    && InetAddress.getByName(text) instanceof Inet4Address ipv4
                    && ipv4.isLoopbackAddress() && !text.equals("127.0.0.1")) {
                return ipv4;
            }
        } catch (UnknownHostException e) {
            // Reported below, as for any other text that is not an IPv4 literal.
        }
        throw new UsageException("invalid --address " + text + ": expected an IPv4 literal in "
                + "127.0.0.0/8 other than 127.0.0.1, such as " + DEFAULT_ADDRESS);
    }

    private static int parseContext(String text) throws UsageException {
        try {
            int context = Integer.parseInt(text);
            GuestAddresses.loopbackFor(context);
            return context;
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid --context " + text + ": expected an integer in "
                    + "2..49151, the context ids that have a loopback address");
        }
    }
}
