package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import io.vserver.api.GuestState;
import io.vserver.api.IsolationElement;
import io.vserver.api.PolicyOutcome;
import io.vserver.api.PolicyReport;
import io.vserver.api.UpdateOutcome;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;

/**
 * Policies with real guests: a policy bundle built by the test and updated under running
 * guests, policies in ConfigAdmin, roll-back on one guest, the dry run, a rejected policy file,
 * and updates of every element bundle while guests run.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PolicyIT extends GuestTestSupport {

    private static final String TEST_BUNDLE = "io.vserver.test.policies";
    private static final long MIB = 1024 * 1024;

    private final List<Bundle> installed = new ArrayList<>();
    private final List<Configuration> configurations = new ArrayList<>();

    @After
    public void removePolicies() throws Exception {
        for (Bundle bundle : installed) {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                bundle.uninstall();
            }
        }
        for (Configuration configuration : configurations) {
            configuration.delete();
        }
    }

    /** Builds a policy bundle with one {@code policies/NAME.cfg} per entry. */
    private static byte[] policyBundle(String version, Map<String, String> files) throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.putValue("Bundle-ManifestVersion", "2");
        attributes.putValue("Bundle-SymbolicName", TEST_BUNDLE);
        attributes.putValue("Bundle-Version", version);
        attributes.putValue("VServer-Policies", "policies/");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                jar.putNextEntry(new JarEntry("policies/" + file.getKey() + ".cfg"));
                jar.write(file.getValue().getBytes(StandardCharsets.ISO_8859_1));
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private Bundle installPolicyBundle(String version, Map<String, String> files) throws Exception {
        Bundle bundle = bundleContext.installBundle("vserver-test:" + TEST_BUNDLE,
                new ByteArrayInputStream(policyBundle(version, files)));
        installed.add(bundle);
        bundle.start();
        return bundle;
    }

    private Configuration definePolicy(String name, Map<String, String> keys) throws Exception {
        ConfigurationAdmin admin = awaitService(ConfigurationAdmin.class);
        Configuration configuration = admin.getFactoryConfiguration("io.vserver.policy", name, "?");
        if (!configurations.contains(configuration)) {
            configurations.add(configuration);
        }
        configuration.update(new Hashtable<>(keys));
        await("policy " + name + " defined", SERVICE_TIMEOUT, () -> {
            try {
                return guests().policy(name).settings().equals(keys);
            } catch (Exception e) {
                return false;
            }
        });
        return configuration;
    }

    private Cgroup cgroup(String guest) throws IOException {
        return CgroupHierarchies.discover().group(cgroupParent + "/" + guest);
    }

    private long memoryLimit(String guest) throws IOException {
        return cgroup(guest).memoryMax();
    }

    private void awaitMemoryLimit(String guest, long bytes, long timeoutMillis) {
        await(guest + "'s memory limit at " + bytes, java.time.Duration.ofMillis(timeoutMillis), () -> {
            try {
                return memoryLimit(guest) == bytes;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Test
    public void stockPoliciesAreUsable() throws Exception {
        for (String name : List.of("web", "database", "batch", "locked-down")) {
            await("stock policy " + name, SERVICE_TIMEOUT, () -> {
                try {
                    guests().policy(name);
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            io.vserver.api.PolicyInfo policy = guests().policy(name);
            assertNull(name + ": " + policy.problem(), policy.problem());
            assertTrue(policy.source(), policy.source().startsWith("bundle io.vserver.policies.standard "));
        }
        createCommandGuest("db1", "/bin/sleep infinity", "policies=database");
        startGuest("db1");
        assertEquals(2048 * MIB, memoryLimit("db1"));
        String mounts = execOk("db1", "/bin/cat", "/proc/mounts");
        assertTrue(mounts, mounts.contains("/dev/shm tmpfs rw,nosuid,nodev,relatime,size=1048576k"));
    }

    @Test
    public void bundleUpdateChangesRunningGuests() throws Exception {
        Bundle bundle = installPolicyBundle("1.0.0", Map.of("tight", "limits.memory = 256M\n"));
        for (String name : List.of("web1", "web2")) {
            createCommandGuest(name, "/bin/sleep infinity", "policies=tight");
        }
        int first = startGuest("web1").initPid();
        int second = startGuest("web2").initPid();
        assertEquals(256 * MIB, memoryLimit("web1"));
        assertEquals("policy tight", guests().settings("web1").sources().get("limits.memory"));
        String status = executeCommand("vserver:status web1");
        assertTrue(status, status.contains("limits.memory = 256M   [policy tight]"));

        bundle.update(new ByteArrayInputStream(policyBundle("1.1.0", Map.of("tight", "limits.memory = 128M\n"))));

        awaitMemoryLimit("web1", 128 * MIB, 1000);
        awaitMemoryLimit("web2", 128 * MIB, 1000);
        assertEquals(first, guests().status("web1").initPid());
        assertEquals(second, guests().status("web2").initPid());

        bundle.uninstall();

        awaitMemoryLimit("web1", Cgroup.UNLIMITED, 5000);
        assertEquals(GuestState.RUNNING, guests().status("web2").state());
        assertEquals(List.of("tight"), guests().settings("web2").missingPolicies());
    }

    @Test
    public void failedChangeRollsBackOneGuest() throws Exception {
        definePolicy("squeeze", Map.of("limits.pids", "100"));
        createCommandGuest("fat", "/bin/sleep infinity", "policies=squeeze");
        createCommandGuest("slim", "/bin/sleep infinity", "policies=squeeze");
        startGuest("fat");
        startGuest("slim");
        // tmpfs pages are charged to the writer's cgroup and cannot be reclaimed without swap.
        execOk("fat", "/bin/dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=48");
        int reports = guests().policyReports().size();

        definePolicy("squeeze", Map.of("limits.pids", "100", "limits.cpu", "1", "limits.memory", "32M"));

        await("the policy change reported", SERVICE_TIMEOUT, () -> {
            try {
                return guests().policyReports().size() > reports;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        PolicyReport report = guests().policyReports().get(0);
        Map<String, PolicyOutcome> byGuest = new LinkedHashMap<>();
        report.outcomes().forEach(outcome -> byGuest.put(outcome.guest(), outcome));
        assertNotNull(report.toString(), byGuest.get("fat").error());
        assertEquals(UpdateOutcome.ROLLED_BACK, byGuest.get("fat").outcomes().get("limits.cpu"));
        assertNull(report.toString(), byGuest.get("slim").error());
        assertEquals(UpdateOutcome.APPLIED, byGuest.get("slim").outcomes().get("limits.memory"));
        assertEquals(32 * MIB, memoryLimit("slim"));
        assertEquals(100_000, cgroup("slim").cpuMax().quotaMicros());
        assertEquals(Cgroup.UNLIMITED, memoryLimit("fat"));
        assertEquals(Cgroup.UNLIMITED, cgroup("fat").cpuMax().quotaMicros());
        String output = executeCommand("vserver:policy-status");
        assertTrue(output, output.contains("fat: limits.cpu rolled back"));
        assertTrue(output, output.contains("slim: limits.memory applied"));
    }

    @Test
    public void dryRunChangesNothing() throws Exception {
        definePolicy("steady", Map.of("limits.memory", "256M", "limits.pids", "200"));
        createCommandGuest("calm", "/bin/sleep infinity", "policies=steady");
        startGuest("calm");
        Map<Path, byte[]> before = snapshot("calm");

        String output = executeCommand("vserver:policy-apply --dry-run --set limits.memory=128M "
                + "--set limits.rlimit.nofile=1024 steady");
        String refused = executeCommand("vserver:policy-apply --dry-run --set network.mode=isolated steady");

        assertTrue(output, output.contains("calm: limits.memory would apply live"));
        assertTrue(output, output.contains("calm: limits.rlimit.nofile would need a restart"));
        assertTrue(refused, refused.contains("calm: would be refused: "));
        assertTrue(refused, refused.contains("network.address"));
        Map<Path, byte[]> after = snapshot("calm");
        assertEquals(before.keySet(), after.keySet());
        for (Path file : before.keySet()) {
            assertTrue(file + " changed", java.util.Arrays.equals(before.get(file), after.get(file)));
        }
    }

    /** Returns the bytes of the guest's limit files, its definition and the policy definitions. */
    private Map<Path, byte[]> snapshot(String guest) throws IOException {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            Path directory = hierarchies.group(cgroupParent + "/" + guest).directory(hierarchy);
            for (String name : List.of("memory.limit_in_bytes", "memory.max", "pids.max", "cpu.cfs_quota_us",
                    "cpu.max")) {
                Path file = directory.resolve(name);
                if (Files.exists(file)) {
                    files.put(file, Files.readAllBytes(file));
                }
            }
        }
        Path etc = Path.of(System.getProperty("karaf.etc"));
        try (var paths = Files.list(etc)) {
            for (Path file : paths.filter(path -> path.getFileName().toString().startsWith("io.vserver.")).toList()) {
                files.put(file, Files.readAllBytes(file));
            }
        }
        return files;
    }

    @Test
    public void badPolicyFileIsRejected() throws Exception {
        Bundle bundle = installPolicyBundle("1.0.0", Map.of("tight", "limits.memory = 256M\n"));
        createCommandGuest("web1", "/bin/sleep infinity", "policies=tight");
        startGuest("web1");

        bundle.update(new ByteArrayInputStream(policyBundle("2.0.0", Map.of("tight", "limits.memory = lots\n"))));

        await("the rejected policy reported", SERVICE_TIMEOUT, () -> {
            try {
                return guests().policy("tight").problem() != null;
            } catch (Exception e) {
                return false;
            }
        });
        String problem = guests().policy("tight").problem();
        assertTrue(problem, problem.contains("bundle " + TEST_BUNDLE + " 2.0.0, file policies/tight.cfg"));
        assertTrue(problem, problem.contains("'limits.memory'"));
        assertTrue(problem, problem.contains("'lots'"));
        assertTrue(problem, problem.contains("K, M, G or T"));
        Thread.sleep(500);
        assertEquals(256 * MIB, memoryLimit("web1"));
        String list = executeCommand("vserver:policy-list --no-format");
        assertTrue(list, list.contains("invalid value 'lots'"));
    }

    @Test
    public void updatedBundleSurvivesFeatureOperation() throws Exception {
        Bundle limits = List.of(bundleContext.getBundles()).stream()
                .filter(candidate -> "io.vserver.limits".equals(candidate.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("bundle io.vserver.limits is not installed"));
        limits.update();
        long updatedAt = limits.getLastModified();

        // Installing a feature that another one pulled in makes it a requirement of its own, and
        // uninstalling drops that requirement again: two runs of the features deployer.
        executeCommandAsAdmin("feature:install vserver-policies-standard");
        executeCommandAsAdmin("feature:uninstall vserver-policies-standard");

        assertEquals(Bundle.ACTIVE, limits.getState());
        assertEquals("the features service replaced the updated limits bundle", updatedAt, limits.getLastModified());
    }

    @Test
    public void elementBundlesUpdateUnderRunningGuests() throws Exception {
        definePolicy("steady", Map.of("limits.memory", "256M"));
        createCommandGuest("web1", "/bin/sleep infinity", "policies=steady", "network.address=127.0.1.41");
        createCommandGuest("web2", "/bin/sleep infinity", "policies=steady", "network.address=127.0.1.42");
        int first = startGuest("web1").initPid();
        int second = startGuest("web2").initPid();

        for (String element : List.of("fs", "context", "network", "capabilities", "limits")) {
            Bundle bundle = List.of(bundleContext.getBundles()).stream()
                    .filter(candidate -> ("io.vserver." + element).equals(candidate.getSymbolicName())).findFirst()
                    .orElseThrow(() -> new AssertionError("bundle io.vserver." + element + " is not installed"));
            bundle.update();
            await("element " + element + " back after its update", SERVICE_TIMEOUT, () -> {
                try {
                    return !bundleContext.getServiceReferences(IsolationElement.class,
                            "(" + IsolationElement.SERVICE_PROPERTY_NAME + "=" + element + ")").isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals(element, first, guests().status("web1").initPid());
            assertEquals(element, second, guests().status("web2").initPid());
            assertTrue(element, execOk("web1", "/bin/hostname").contains("web1"));
        }

        String output = executeCommand("vserver:limit web2 limits.pids=300");
        assertTrue(output, output.contains("limits.pids: applied"));
        assertEquals("300", cgroup("web2").read("pids.max").trim());
        output = executeCommand("vserver:net web2 address=127.0.1.43");
        assertTrue(output, output.contains("network.address: applied"));
        guests().stop("web1", GUEST_TIMEOUT);
        guests().stop("web2", GUEST_TIMEOUT);
        awaitState("web1", GuestState.STOPPED);
    }
}
