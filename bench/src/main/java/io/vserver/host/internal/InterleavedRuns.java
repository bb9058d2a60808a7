package io.vserver.host.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs benchmark variants in rounds: every round runs each variant once, in an order that
 * rotates by one variant per round, so drift on a shared machine hits all variants alike.
 * The first rounds are warm-up, which also lets the JIT compile the measured path, and are
 * not recorded.
 */
final class InterleavedRuns {

    /** One measured operation. */
    interface Variant {

        /**
         * Returns the names of the figures {@link #measure()} returns: the first is the
         * variant's whole operation, any further ones are parts of it.
         */
        List<String> figures();

        /** Runs the operation once and returns one time in nanoseconds per figure. */
        long[] measure() throws Exception;
    }

    private InterleavedRuns() {
    }

    /** Runs {@code warmup} unrecorded and {@code runs} recorded rounds, and returns the samples of every figure. */
    static List<LatencySamples> run(List<Variant> variants, int warmup, int runs) throws Exception {
        List<List<LatencySamples>> samples = new ArrayList<>();
        List<LatencySamples> all = new ArrayList<>();
        for (Variant variant : variants) {
            List<LatencySamples> figures = new ArrayList<>();
            for (String figure : variant.figures()) {
                figures.add(new LatencySamples(figure));
            }
            samples.add(figures);
            all.addAll(figures);
        }
        for (int round = 0; round < warmup + runs; round++) {
            for (int k = 0; k < variants.size(); k++) {
                int index = (round + k) % variants.size();
                long[] times = variants.get(index).measure();
                if (round < warmup) {
                    continue;
                }
                for (int figure = 0; figure < times.length; figure++) {
                    samples.get(index).get(figure).add(times[figure]);
                }
            }
            if ((round + 1) % 100 == 0) {
                System.err.printf("host-api bench: %d of %d rounds%n", round + 1, warmup + runs);
            }
        }
        return all;
    }

    /**
     * Returns the variant {@code jvm-spawn}: the JVM starts {@code /bin/true} on the host and
     * waits for it, the fixed cost that every guest start and exec through the API pays for
     * its vcontext process.
     */
    static Variant jvmSpawn() {
        return new Variant() {
            @Override
            public List<String> figures() {
                return List.of("jvm-spawn");
            }

            @Override
            public long[] measure() throws IOException, InterruptedException {
                long begin = System.nanoTime();
                Process process = new ProcessBuilder("/bin/true").start();
                process.getOutputStream().close();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("/bin/true did not end within 10 s");
                }
                long end = System.nanoTime();
                process.getInputStream().close();
                process.getErrorStream().close();
                if (process.exitValue() != 0) {
                    throw new IOException("/bin/true exited with code " + process.exitValue());
                }
                return new long[] {end - begin};
            }
        };
    }
}
