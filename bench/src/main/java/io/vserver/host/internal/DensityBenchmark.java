package io.vserver.host.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.vserver.api.GuestStatus;
import io.vserver.api.VServerException;

/**
 * The density benchmark: for each count N, starts N idle guests one after the other, records
 * each start's latency against the number of guests already running, the memory the host
 * spends on them, the start latency of one more guest against that of the first, and the time
 * to stop them all. Each count starts from no running guest.
 *
 * <p>Output files in the output directory: {@code ramp.tsv} (N, guest index, guests running
 * before, start milliseconds, moving median of {@link #WINDOW} starts), {@code probes.tsv}
 * (summaries in the timer's layout: the probe starts {@code probe-N-first} and
 * {@code probe-N-next}, and the isolated cgroup2 moves {@code move-N-first} and
 * {@code move-N-next}), {@code stop.tsv} (N, total milliseconds, then the per-guest summary)
 * and {@code memory.tsv} (N, figure, value).
 */
final class DensityBenchmark {

    /** The number of starts in the moving median of the start latency. */
    static final int WINDOW = 25;

    private final GuestService service;
    private final Map<String, String> idleGuest;
    private final String cgroupParent;
    private final int probes;
    private final Duration settle;
    private final Path output;

    /**
     * @param idleGuest the keys of every guest: an init that sleeps, so the guest stays idle
     * @param probes how many starts of one more guest measure the start latency at each count
     * @param settle how long to wait after the last start before the memory is read
     */
    DensityBenchmark(GuestService service, Map<String, String> idleGuest, String cgroupParent, int probes,
            Duration settle, Path output) {
        this.service = service;
        this.idleGuest = Map.copyOf(idleGuest);
        this.cgroupParent = cgroupParent;
        this.probes = probes;
        this.settle = settle;
        this.output = output;
    }

    /**
     * Runs the benchmark for each count in turn and appends the results to the output files.
     *
     * @param move the isolated cgroup2 move, timed next to each probe to tell its share of a
     *     change in start latency; empty when no cgroup2 hierarchy is mounted
     */
    void run(List<Integer> counts, Optional<CgroupMoveVariant> move) throws Exception {
        Files.createDirectories(output);
        service.create("probe", idleGuest, List.of());
        // Unrecorded starts first, so that the JIT has compiled the start path before the first
        // measurement with no guest running, which every count's result is compared with.
        System.err.printf("host-api bench: density: %d warm-up starts%n", probes);
        probe("warm-up");
        for (int count : counts) {
            runCount(count, move);
        }
        service.destroy("probe", true);
    }

    private void runCount(int count, Optional<CgroupMoveVariant> move) throws Exception {
        System.err.printf("host-api bench: density %d: measuring the start of one guest with none running%n", count);
        LatencySamples first = probe("probe-" + count + "-first");
        Optional<LatencySamples> firstMove = probeMove(move, "move-" + count + "-first");
        Map<String, Long> before = snapshot(List.of());

        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = String.format(Locale.ROOT, "idle-%04d", i);
            service.create(name, idleGuest, List.of());
            names.add(name);
        }
        System.err.printf("host-api bench: density %d: starting %d idle guests%n", count, count);
        long[] latencies = new long[count];
        for (int i = 0; i < count; i++) {
            long begin = System.nanoTime();
            service.start(names.get(i));
            latencies[i] = System.nanoTime() - begin;
        }
        try (Writer ramp = append("ramp.tsv")) {
            for (int i = 0; i < count; i++) {
                ramp.write(String.format(Locale.ROOT, "%d\t%d\t%d\t%.3f\t%.3f%n", count, i + 1, i, latencies[i] / 1e6,
                        movingMedian(latencies, i)));
            }
        }

        System.err.printf("host-api bench: density %d: waiting %d s before reading memory%n", count,
                settle.toSeconds());
        Thread.sleep(settle.toMillis());
        Map<String, Long> after = snapshot(names);
        writeMemory(count, before, after);

        System.err.printf("host-api bench: density %d: measuring the start of guest %d%n", count, count + 1);
        LatencySamples last = probe("probe-" + count + "-next");
        Optional<LatencySamples> lastMove = probeMove(move, "move-" + count + "-next");
        try (Writer summaries = append("probes.tsv")) {
            for (LatencySamples samples : List.of(first, last)) {
                summaries.write(samples.summary().toTsv() + "\n");
            }
            for (Optional<LatencySamples> samples : List.of(firstMove, lastMove)) {
                if (samples.isPresent()) {
                    summaries.write(samples.get().summary().toTsv() + "\n");
                }
            }
        }

        stopAll(count, names);
        for (String name : names) {
            service.destroy(name, false);
        }
    }

    /**
     * Returns the median of the {@link #WINDOW} latencies centred on {@code index} (fewer at
     * the ends), in milliseconds.
     */
    static double movingMedian(long[] latencies, int index) {
        int from = Math.max(0, index - WINDOW / 2);
        int to = Math.min(latencies.length, index + WINDOW / 2 + 1);
        long[] window = Arrays.copyOfRange(latencies, from, to);
        Arrays.sort(window);
        return LatencySamples.percentile(window, 50);
    }

    /** Starts and stops the guest {@code probe} {@link #probes} times and returns the start latencies. */
    private LatencySamples probe(String label) throws VServerException {
        LatencySamples samples = new LatencySamples(label);
        for (int i = 0; i < probes; i++) {
            long begin = System.nanoTime();
            service.start("probe");
            samples.add(System.nanoTime() - begin);
            service.stop("probe", Duration.ZERO);
        }
        return samples;
    }

    /** Times {@link #probes} isolated cgroup2 moves, or returns empty without a cgroup2 hierarchy. */
    private Optional<LatencySamples> probeMove(Optional<CgroupMoveVariant> move, String label) throws Exception {
        if (move.isEmpty()) {
            return Optional.empty();
        }
        LatencySamples samples = new LatencySamples(label);
        for (int i = 0; i < probes; i++) {
            samples.add(move.get().measure()[0]);
        }
        return Optional.of(samples);
    }

    /**
     * Stops the guests one after the other, as a batch {@code vserver:stop} does. The init
     * ({@code sleep} as pid 1) has no handler for the halt signal, so each stop kills the
     * guest's cgroup at once (timeout 0) rather than waiting in vain.
     */
    private void stopAll(int count, List<String> names) throws Exception {
        System.err.printf("host-api bench: density %d: stopping every guest%n", count);
        LatencySamples stops = new LatencySamples("stop-" + count);
        long begin = System.nanoTime();
        for (String name : names) {
            long start = System.nanoTime();
            service.stop(name, Duration.ZERO);
            stops.add(System.nanoTime() - start);
        }
        long total = System.nanoTime() - begin;
        try (Writer out = append("stop.tsv")) {
            out.write(String.format(Locale.ROOT, "%d\t%.3f\t%s%n", count, total / 1e6, stops.summary().toTsv()));
        }
    }

    /**
     * Reads the machine's kernel counters, the memory of the cgroup parent, the JVM's heap and
     * PSS, and the summed PSS of the guests' monitors (each init's parent) and inits.
     */
    private Map<String, Long> snapshot(List<String> names) throws IOException, VServerException {
        Map<String, Long> values = new TreeMap<>();
        HostMemory.meminfo().forEach((field, kib) -> values.put("meminfo." + field + ".kib", kib));
        HostMemory.cgroupMemory(cgroupParent).forEach((field, bytes) -> values.put("cgroup." + field + ".bytes",
                bytes));
        values.put("jvm.heap.bytes", HostMemory.heapAfterGc());
        values.put("jvm.pss.kib", HostMemory.pssKiB(ProcessHandle.current().pid()).orElseThrow());
        long monitors = 0;
        long inits = 0;
        int counted = 0;
        for (String name : names) {
            GuestStatus status = service.status(name);
            if (status.initPid() == 0) {
                throw new VServerException("guest " + name + " is not running (state " + status.state()
                        + ") while the memory is read");
            }
            long monitor = HostMemory.parentPid(status.initPid()).orElseThrow(() -> new VServerException(
                    "guest " + name + ": init " + status.initPid() + " ended while the memory was read"));
            monitors += HostMemory.pssKiB(monitor).orElse(0L);
            inits += HostMemory.pssKiB(status.initPid()).orElse(0L);
            counted++;
        }
        values.put("monitors.pss.kib", monitors);
        values.put("inits.pss.kib", inits);
        values.put("guests", (long) counted);
        return values;
    }

    /** Writes every figure after the start and its growth over the figure before. */
    private void writeMemory(int count, Map<String, Long> before, Map<String, Long> after) throws IOException {
        try (Writer out = append("memory.tsv")) {
            for (Map.Entry<String, Long> entry : after.entrySet()) {
                String key = entry.getKey();
                out.write(count + "\t" + key + "\t" + entry.getValue() + "\n");
                if (before.containsKey(key) && !key.startsWith("monitors.") && !key.startsWith("inits.")
                        && !key.equals("guests")) {
                    out.write(count + "\t" + key + ".growth\t" + (entry.getValue() - before.get(key)) + "\n");
                }
            }
        }
    }

    private Writer append(String file) throws IOException {
        return Files.newBufferedWriter(output.resolve(file), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
