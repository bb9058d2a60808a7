package io.vserver.capabilities.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.caps.Capability;
import java.util.TreeSet;
import java.util.Locale;
import java.util.Set;

import org.junit.Test;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.LaunchPlan;
import io.vserver.api.LaunchPlan.CapabilitySetKind;

public class CapabilitiesElementTest {

    private static final Set<String> DOCKER_DEFAULT = Set.of("chown", "dac_override", "fsetid", "fowner", "mknod",
            "net_raw", "setgid", "setuid", "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill",
            "audit_write");

    private final CapabilitiesElement element = new CapabilitiesElement();

    private static GuestSpec spec(Map<String, String> settings) {
        return new GuestSpec("web1", 42, List.of(), settings, Map.of());
    }

    private static GuestRecord record() {
        return new GuestRecord("web1", 42, Path.of("/nonexistent/data"), Path.of("/nonexistent/run"), "vserver/web1");
    }

    private LaunchPlan prepare(Map<String, String> settings) throws Exception {
        LaunchPlan plan = new LaunchPlan();
        element.prepare(spec(settings), record(), plan);
        return plan;
    }

    private InvalidConfigurationException rejected(Map<String, String> settings) {
        return assertThrows(InvalidConfigurationException.class, () -> element.validate(spec(settings)));
    }

    @Test
    public void requiredByEveryGuest() {
        assertTrue(element.isRequiredBy(spec(Map.of())));
    }

    @Test
    public void validateAcceptsGoodValues() throws Exception {
        element.validate(spec(Map.of()));
        element.validate(spec(Map.of("capabilities.profile", "Classic")));
        element.validate(spec(Map.of("capabilities.add", "CAP_NET_ADMIN, sys_time,Sys_Nice")));
        element.validate(spec(Map.of("capabilities.drop", "net_raw", "capabilities.add", "")));
        element.validate(spec(Map.of("security.noNewPrivileges", "TRUE")));
    }

    @Test
    public void validateRejectsUnknownProfile() {
        InvalidConfigurationException e = rejected(Map.of("capabilities.profile", "root"));
        assertEquals("capabilities.profile", e.key());
        assertEquals("root", e.value());
        assertEquals("default, minimal, classic or privileged", e.acceptedForm());
        assertTrue(e.getMessage(), e.getMessage().contains("guest web1 (xid 42)"));
    }

    @Test
    public void validateRejectsUnknownCapability() {
        InvalidConfigurationException e = rejected(Map.of("capabilities.add", "net_admin,net_admni"));
        assertEquals("capabilities.add", e.key());
        assertEquals("net_admin,net_admni", e.value());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("names as in capabilities(7), e.g. net_admin"));
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("net_admni"));
    }

    @Test
    public void validateRejectsUnknownDroppedCapability() {
        InvalidConfigurationException e = rejected(Map.of("capabilities.drop", "CAP_FOO"));
        assertEquals("capabilities.drop", e.key());
        assertEquals("CAP_FOO", e.value());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("names as in capabilities(7), e.g. net_admin"));
    }

    @Test
    public void validateRejectsBadBoolean() {
        InvalidConfigurationException e = rejected(Map.of("security.noNewPrivileges", "yes"));
        assertEquals("security.noNewPrivileges", e.key());
        assertEquals("yes", e.value());
        assertEquals("true or false", e.acceptedForm());
    }

    @Test
    public void validateRejectsUnknownKeyUnderPrefix() {
        InvalidConfigurationException e = rejected(Map.of("capabilities.prfile", "minimal"));
        assertEquals("capabilities.prfile", e.key());
        assertNull(e.value());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("capabilities.profile"));
    }

    @Test
    public void prepareDefaultProfileIsContainerDefault() throws Exception {
        LaunchPlan plan = prepare(Map.of());
        assertEquals(DOCKER_DEFAULT, plan.capabilities(CapabilitySetKind.BOUNDING));
        assertEquals(DOCKER_DEFAULT, plan.capabilities(CapabilitySetKind.PERMITTED));
        assertEquals(DOCKER_DEFAULT, plan.capabilities(CapabilitySetKind.EFFECTIVE));
        assertEquals(Set.of(), plan.capabilities(CapabilitySetKind.INHERITABLE));
        assertEquals(Set.of(), plan.capabilities(CapabilitySetKind.AMBIENT));
        assertFalse(plan.noNewPrivileges());
        assertEquals("default", plan.seccomp());
    }

    @Test
    public void validateAcceptsSeccompModesInAnyCase() throws Exception {
        element.validate(spec(Map.of("security.seccomp", "default")));
        element.validate(spec(Map.of("security.seccomp", " Unconfined ")));
    }

    @Test
    public void validateRejectsUnknownSeccompMode() {
        InvalidConfigurationException e = rejected(Map.of("security.seccomp", "strict"));
        assertEquals("security.seccomp", e.key());
        assertEquals("strict", e.value());
        assertEquals("default or unconfined", e.acceptedForm());
    }

    @Test
    public void validateRejectsMisspelledSeccompKey() {
        InvalidConfigurationException e = rejected(Map.of("security.secomp", "unconfined"));
        assertEquals("security.secomp", e.key());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("security.seccomp"));
    }

    @Test
    public void prepareSetsSeccompMode() throws Exception {
        assertEquals("unconfined", prepare(Map.of("security.seccomp", "UNCONFINED")).seccomp());
        assertEquals("default", prepare(Map.of("security.seccomp", "default")).seccomp());
    }

    @Test
    public void flagsMarkUnconfinedGuests() throws Exception {
        assertEquals(List.of("seccomp=unconfined"), CapabilitiesElement.flags(spec(Map.of("security.seccomp",
                "unconfined"))));
        assertEquals(List.of(), CapabilitiesElement.flags(spec(Map.of("security.seccomp", "default"))));
        assertEquals(List.of("privileged", "seccomp=unconfined"), element.statusFlags(spec(Map.of(
                "capabilities.profile", "privileged", "security.seccomp", "unconfined"))));
    }

    @Test
    public void prepareMinimalProfileIsEmpty() throws Exception {
        LaunchPlan plan = prepare(Map.of("capabilities.profile", "minimal"));
        assertEquals(Set.of(), plan.capabilities(CapabilitySetKind.BOUNDING));
        assertEquals(Set.of(), plan.capabilities(CapabilitySetKind.EFFECTIVE));
    }

    @Test
    public void prepareClassicProfile() throws Exception {
        LaunchPlan plan = prepare(Map.of("capabilities.profile", "classic"));
        Set<String> expected = Set.of("chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
                "setgid", "setuid", "net_bind_service", "sys_chroot", "sys_ptrace", "sys_boot", "sys_tty_config",
                "lease", "audit_write");
        assertEquals(expected, plan.capabilities(CapabilitySetKind.BOUNDING));
    }

    @Test
    public void preparePrivilegedProfileHasAllTheHostHas() throws Exception {
        CapabilitySet host = ProcFs.system().status((int) ProcessHandle.current().pid()).capBnd();
        Set<String> expected = new TreeSet<>();
        for (Capability capability : Capability.values()) {
            if (host.contains(capability)) {
                expected.add(capability.name().substring("CAP_".length()).toLowerCase(Locale.ROOT));
            }
        }

        LaunchPlan plan = prepare(Map.of("capabilities.profile", "privileged"));

        assertEquals(expected, new TreeSet<>(plan.capabilities(CapabilitySetKind.BOUNDING)));
        assertTrue(plan.capabilities(CapabilitySetKind.BOUNDING).contains("sys_admin"));
    }

    @Test
    public void prepareAddsAndDrops() throws Exception {
        LaunchPlan plan = prepare(Map.of("capabilities.add", "CAP_NET_ADMIN,sys_time",
                "capabilities.drop", "net_raw, MKNOD", "security.noNewPrivileges", "true"));
        Set<String> bounding = plan.capabilities(CapabilitySetKind.BOUNDING);
        assertTrue(bounding.contains("net_admin"));
        assertTrue(bounding.contains("sys_time"));
        assertFalse(bounding.contains("net_raw"));
        assertFalse(bounding.contains("mknod"));
        assertEquals(DOCKER_DEFAULT.size(), bounding.size());
        assertTrue(plan.noNewPrivileges());
    }

    @Test
    public void dropWinsOverAdd() throws Exception {
        LaunchPlan plan = prepare(Map.of("capabilities.add", "sys_admin", "capabilities.drop", "sys_admin"));
        assertFalse(plan.capabilities(CapabilitySetKind.BOUNDING).contains("sys_admin"));
    }

    @Test
    public void flagsMarkPrivilegedGuests() throws Exception {
        assertEquals(List.of("privileged"), CapabilitiesElement.flags(spec(Map.of("capabilities.profile",
                "privileged"))));
        assertEquals(List.of(), CapabilitiesElement.flags(spec(Map.of())));
        assertEquals(List.of(), CapabilitiesElement.flags(spec(Map.of("capabilities.profile", "privileged",
                "capabilities.drop", "sys_module"))));
        assertEquals(List.of("privileged"), element.statusFlags(spec(Map.of("capabilities.profile", "privileged"))));
    }
}
