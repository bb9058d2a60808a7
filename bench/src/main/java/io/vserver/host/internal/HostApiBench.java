package io.vserver.host.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line of the host API benchmarks; bench/run-all.sh runs it as root.
 *
 * <pre>
 * java -cp bench/target/classes:bench/target/lib/* io.vserver.host.internal.HostApiBench MODE
 *     --work DIR --vcontext PATH --cgroup-parent vserver-bench-NAME [--set KEY=VALUE]...
 *     start|exec: --runs N --warmup N --summary FILE --samples FILE
 *     density:    --counts N,N,... --probes N --settle SECONDS --output DIR
 * </pre>
 *
 * <p>{@code start} times guests whose init is {@code /bin/true} from start to the host's
 * release of the ended run, on the busybox root and on the {@code host} image. {@code exec}
 * times an exec of {@code /bin/true} into a running guest of each. Both also time the JVM's
 * own spawn of {@code /bin/true}, and {@code start} then times the cgroup2 attach alone
 * ({@link CgroupMoveVariant}). {@code density} is {@link DensityBenchmark}.
 */
public final class HostApiBench {

    private static final String USAGE = "usage: HostApiBench start|exec|density --work DIR --vcontext PATH "
            + "--cgroup-parent vserver-bench-NAME [--set KEY=VALUE]... [--runs N --warmup N --summary FILE "
            + "--samples FILE] [--counts N,N --probes N --settle SECONDS --output DIR]";

    /** The init of the idle guests: busybox sleep as pid 1, for about eleven days. */
    private static final String IDLE_INIT = "/bin/sleep 1000000";

    /** An invalid command line, reported with the usage. */
    private static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * The idle time before each timed cgroup2 move: longer than the waits measured on the
     * project's machines (median about 6 ms), so each move finds the lock as an isolated guest
     * start does.
     */
    private static final Duration MOVE_PAUSE = Duration.ofMillis(50);

    private HostApiBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (UsageException e) {
            System.err.println("HostApiBench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length == 0 || !List.of("start", "exec", "density").contains(args[0])) {
            throw new UsageException(args.length == 0 ? "missing mode" : "unknown mode " + args[0]
                    + ": expected start, exec or density");
        }
        String mode = args[0];
        Map<String, String> options = new LinkedHashMap<>();
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length || !args[i].startsWith("--")) {
                fail("invalid argument " + args[i] + ": every option takes a value");
            }
            if (args[i].equals("--set")) {
                String[] pair = args[i + 1].split("=", 2);
                if (pair.length != 2 || pair[0].isBlank()) {
                    fail("invalid --set " + args[i + 1] + ": expected KEY=VALUE");
                }
                keys.put(pair[0], pair[1]);
            } else {
                options.put(args[i].substring(2), args[i + 1]);
            }
        }
        Path work = Path.of(required(options, "work"));
        try (BenchHost host = BenchHost.open(work, Path.of(required(options, "vcontext")),
                required(options, "cgroup-parent"), Duration.ofSeconds(5))) {
            Path rootfs = host.buildBusyboxRootfs();
            switch (mode) {
                case "start" -> start(host, rootfs, keys, options);
                case "exec" -> latency(options, execVariants(host.service(), rootfs, keys));
                default -> density(host, rootfs, keys, options);
            }
        }
    }

    /**
     * Runs the start variants interleaved, then, where a cgroup2 hierarchy is mounted, the
     * variant {@code cgroup2-move} on its own.
     */
    private static void start(BenchHost host, Path rootfs, Map<String, String> keys, Map<String, String> options)
            throws Exception {
        GuestService service = host.service();
        service.create("start-busybox", guest(keys, "dir:" + rootfs, "/bin/true"), List.of());
        service.create("start-host", guest(keys, "host", "/bin/true"), List.of());
        latency(options, List.of(LatencyBenchmarks.start(service, "start-busybox", "host-api-busybox"),
                LatencyBenchmarks.start(service, "start-host", "host-api-host-image"), InterleavedRuns.jvmSpawn()));

        Optional<CgroupMoveVariant> move = CgroupMoveVariant.create(host.cgroupParent(), MOVE_PAUSE);
        if (move.isPresent()) {
            try (CgroupMoveVariant variant = move.get()) {
                latency(options, List.of(variant));
            }
        }
    }

    private static List<InterleavedRuns.Variant> execVariants(GuestService service, Path rootfs,
            Map<String, String> keys) throws Exception {
        service.create("exec-busybox", guest(keys, "dir:" + rootfs, IDLE_INIT), List.of());
        service.create("exec-host", guest(keys, "host", IDLE_INIT), List.of());
        service.start("exec-busybox");
        service.start("exec-host");
        return List.of(LatencyBenchmarks.exec(service, "exec-busybox", "exec-busybox"),
                LatencyBenchmarks.exec(service, "exec-host", "exec-host-image"), InterleavedRuns.jvmSpawn());
    }

    /** Returns the keys of a benchmark guest: the common keys of --set, then its image and init. */
    private static Map<String, String> guest(Map<String, String> keys, String image, String init) {
        Map<String, String> guest = new LinkedHashMap<>(keys);
        guest.put("image", image);
        guest.put("init", init);
        return guest;
    }

    private static void latency(Map<String, String> options, List<InterleavedRuns.Variant> variants)
            throws Exception {
        int runs = number(options, "runs", 1);
        int warmup = number(options, "warmup", 0);
        List<LatencySamples> samples = InterleavedRuns.run(variants, warmup, runs);
        try (Writer summary = append(Path.of(required(options, "summary")));
                Writer all = append(Path.of(required(options, "samples")))) {
            for (LatencySamples figure : samples) {
                summary.write(figure.summary().toTsv() + "\n");
                figure.writeSamples(all);
            }
        }
    }

    private static void density(BenchHost host, Path rootfs, Map<String, String> keys, Map<String, String> options)
            throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (String count : required(options, "counts").split(",")) {
            counts.add(parse("counts", count.trim(), 1));
        }
        DensityBenchmark benchmark = new DensityBenchmark(host.service(), guest(keys, "dir:" + rootfs, IDLE_INIT),
                host.cgroupParent(), number(options, "probes", 1), Duration.ofSeconds(number(options, "settle", 0)),
                Path.of(required(options, "output")));
        Optional<CgroupMoveVariant> move = CgroupMoveVariant.create(host.cgroupParent(), MOVE_PAUSE);
        try {
            benchmark.run(counts, move);
        } finally {
            move.ifPresent(CgroupMoveVariant::close);
        }
    }

    private static Writer append(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            fail("missing option --" + name);
        }
        return value;
    }

    private static int number(Map<String, String> options, String name, int minimum) {
        return parse(name, required(options, name), minimum);
    }

    private static int parse(String name, String value, int minimum) {
        try {
            int number = Integer.parseInt(value);
            if (number >= minimum) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Reported below with the accepted form.
        }
        fail("invalid --" + name + " " + value + ": expected an integer of at least " + minimum);
        return minimum;
    }

    private static void fail(String message) {
        throw new UsageException(message);
    }
}
