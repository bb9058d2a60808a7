package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;

/**
 * Restarts and updates the host, fs and context bundles under a running guest, and checks
 * that the guest keeps running with the same init and mounts and that the new bundle
 * re-adopts it: exec and stop work afterwards.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GuestSurvivalIT extends GuestTestSupport {

    @Test
    public void survivesHostBundle() throws Exception {
        survivesRestartAndUpdate("io.vserver.host", "survivor-host");
    }

    @Test
    public void survivesFsBundle() throws Exception {
        survivesRestartAndUpdate("io.vserver.fs", "survivor-fs");
    }

    @Test
    public void survivesContextBundle() throws Exception {
        survivesRestartAndUpdate("io.vserver.context", "survivor-context");
    }

    private void survivesRestartAndUpdate(String symbolicName, String guest) throws Exception {
        awaitCommand("bundle", "restart");
        createCommandGuest(guest, "/bin/sleep infinity");
        GuestStatus before = startGuest(guest);
        // vcontext mounts the guest's root inside the guest's mount namespace, so the guest's
        // mount table is read through its init.
        Path mountTable = Path.of("/proc", Integer.toString(before.initPid()), "mountinfo");
        String mounts = Files.readString(mountTable);
        assertTrue("guest mount table " + mountTable + " lists the root", mounts.contains(" / / "));

        for (String operation : List.of("bundle:restart", "bundle:update")) {
            long id = bundle(symbolicName).getBundleId();
            Set<Object> servicesBefore = serviceIds(symbolicName);
            executeCommandAsAdmin(operation + " " + id);
            await(symbolicName + " active after " + operation, SERVICE_TIMEOUT,
                    () -> bundle(symbolicName).getState() == Bundle.ACTIVE);
            await(symbolicName + " registers its services again after " + operation, SERVICE_TIMEOUT,
                    () -> serviceIds(symbolicName).size() == servicesBefore.size());
            Set<Object> servicesAfter = serviceIds(symbolicName);
            servicesAfter.retainAll(servicesBefore);
            assertEquals(operation + " replaced every service of " + symbolicName, Set.of(), servicesAfter);
            awaitState(guest, GuestState.RUNNING);

            GuestStatus after = guests().status(guest);
            String step = guest + " after " + operation + " of " + symbolicName;
            assertEquals("init pid of " + step, before.initPid(), after.initPid());
            assertTrue("init of " + step + " alive", KernelState.isAlive(after.initPid()));
            assertEquals("mount table of " + step, mounts, Files.readString(mountTable));
            assertEquals("hostname in " + step, guest, execOk(guest, "hostname").trim());
        }

        GuestStatus stopped = guests().stop(guest, null);
        assertEquals(GuestState.STOPPED, stopped.state());
        assertFalse("init " + before.initPid() + " ended", KernelState.isAlive(before.initPid()));
        assertEquals("processes left in " + guest, List.of(),
                KernelState.processesInCgroup(cgroupParent + "/" + guest));
    }

    /** Returns the service.id of every service that bundle {@code symbolicName} has registered. */
    private Set<Object> serviceIds(String symbolicName) {
        Set<Object> ids = new HashSet<>();
        ServiceReference<?>[] services = bundle(symbolicName).getRegisteredServices();
        if (services != null) {
            for (ServiceReference<?> service : services) {
                ids.add(service.getProperty(Constants.SERVICE_ID));
            }
        }
        return ids;
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(bundleContext.getBundles())
                .filter(bundle -> symbolicName.equals(bundle.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName + " installed"));
    }
}
