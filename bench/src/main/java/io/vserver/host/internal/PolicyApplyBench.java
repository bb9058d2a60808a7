package io.vserver.host.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vserver.api.PolicyOutcome;
import io.vserver.api.UpdateOutcome;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * Times the re-application of a changed limits policy to N running guests, through the host
 * VM's guest service and the real limits element. Each round changes the policy's memory and
 * task limits. The sample is the host-side time until every guest's cgroup has them.
 *
 * <pre>PolicyApplyBench --work DIR --vcontext PATH --cgroup-parent vserver-bench-* --guests N --rounds N
 *     --summary FILE --samples FILE</pre>
 */
public final class PolicyApplyBench {

    private static final String POLICY = "bench-limits";
    private static final long MIB = 1024 * 1024;

    /** Time for the registry's own delayed re-application to run, which finds nothing left to do. */
    private static final Duration SETTLE = Duration.ofMillis(PolicyApplication.DELAY_MILLIS + 250);

    private PolicyApplyBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        for (String required : List.of("--work", "--vcontext", "--cgroup-parent", "--guests", "--rounds",
                "--summary", "--samples")) {
            if (!options.containsKey(required)) {
                System.err.println("PolicyApplyBench: missing " + required + "; usage: PolicyApplyBench --work DIR "
                        + "--vcontext PATH --cgroup-parent vserver-bench-* --guests N --rounds N --summary FILE "
                        + "--samples FILE");
                System.exit(2);
            }
        }
        int guests = Integer.parseInt(options.get("--guests"));
        int rounds = Integer.parseInt(options.get("--rounds"));
        try (BenchHost host = BenchHost.open(Path.of(options.get("--work")), Path.of(options.get("--vcontext")),
                options.get("--cgroup-parent"), Duration.ofSeconds(5))) {
            define(host, 256);
            startGuests(host, host.buildBusyboxRootfs(), guests);
            Thread.sleep(SETTLE.toMillis());
            LatencySamples samples = new LatencySamples("policy-apply-" + guests);
            for (int round = 0; round < rounds; round++) {
                long memory = round % 2 == 0 ? 192 : 256;
                define(host, memory);
                long started = System.nanoTime();
                List<PolicyOutcome> outcomes = host.service().applyPolicy(POLICY, Map.of(), false);
                samples.add(System.nanoTime() - started);
                check(host, outcomes, guests, memory);
                Thread.sleep(SETTLE.toMillis());
            }
            try (Writer out = Files.newBufferedWriter(Path.of(options.get("--samples")), StandardCharsets.UTF_8)) {
                samples.writeSamples(out);
            }
            try (Writer out = Files.newBufferedWriter(Path.of(options.get("--summary")), StandardCharsets.UTF_8)) {
                out.write(samples.summary().toTsv() + "\n");
            }
        }
    }

    /** Defines the policy with a memory limit in MiB and a task limit that changes with it. */
    private static void define(BenchHost host, long memoryMib) {
        host.policies().replace("bench:" + POLICY, List.of(new PolicyRegistry.Definition(POLICY,
                Map.of("limits.memory", memoryMib + "M", "limits.pids", String.valueOf(memoryMib)), "the benchmark",
                null)));
    }

    private static void startGuests(BenchHost host, Path rootfs, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            String name = "policy" + i;
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("image", "dir:" + rootfs);
            keys.put("init", "/bin/sleep 1000000");
            keys.put("network.mode", "none");
            keys.put("policies", POLICY);
            host.service().create(name, keys, List.of());
            host.service().start(name);
        }
    }

    /** Checks that every guest applied both keys and that the first and last cgroups have the new limit. */
    private static void check(BenchHost host, List<PolicyOutcome> outcomes, int guests, long memoryMib)
            throws IOException {
        List<String> failures = new ArrayList<>();
        for (PolicyOutcome outcome : outcomes) {
            if (outcome.error() != null || outcome.outcomes().get("limits.memory") != UpdateOutcome.APPLIED) {
                failures.add(outcome.toString());
            }
        }
        if (outcomes.size() != guests || !failures.isEmpty()) {
            throw new IllegalStateException("policy applied to " + outcomes.size() + " of " + guests
                    + " guests; failures: " + failures);
        }
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        for (String name : List.of("policy0", "policy" + (guests - 1))) {
            Cgroup group = hierarchies.group(host.cgroupParent() + "/" + name);
            if (group.memoryMax() != memoryMib * MIB) {
                throw new IllegalStateException(name + ": memory limit " + group.memoryMax() + ", expected "
                        + memoryMib * MIB);
            }
        }
    }
}
