package io.vserver.context.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.LaunchPlan;

public class ContextElementTest {

    private final ContextElement element = new ContextElement();

    private static GuestSpec spec(Map<String, String> settings) {
        return new GuestSpec("web1", 42, List.of(), settings, Map.of());
    }

    private LaunchPlan prepare(Map<String, String> settings) throws Exception {
        LaunchPlan plan = new LaunchPlan();
        GuestRecord record = new GuestRecord("web1", 42, Path.of("/nonexistent/data"), Path.of("/nonexistent/run"),
                "vserver/web1");
        element.prepare(spec(settings), record, plan);
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
    public void doesNotOwnHostKeys() {
        assertFalse(element.owns("context"));
        assertTrue(element.owns("init.style"));
    }

    @Test
    public void validateAcceptsGoodValues() throws Exception {
        element.validate(spec(Map.of("init", "/bin/sh")));
        element.validate(spec(Map.of("init.style", "sysv")));
        element.validate(spec(Map.of("init.style", "SYSTEMD", "hostname", "web1.example.org")));
        element.validate(spec(Map.of("init.style", "command", "init", "/usr/sbin/sshd -D")));
        element.validate(spec(Map.of("init", "/bin/true", "hostname", "A-1")));
        element.validate(spec(Map.of("init", "/bin/true", "hostname", "a".repeat(63))));
        element.validate(spec(Map.of("init", "/bin/true", "hostname", "a".repeat(31) + "." + "b".repeat(32))));
    }

    @Test
    public void validateRejectsBadHostnames() {
        List<String> bad = List.of("", "-web", "web-", "web_1", "web..example", "web.", "a".repeat(64),
                "a".repeat(32) + "." + "b".repeat(32), "wéb", "web 1");
        for (String hostname : bad) {
            InvalidConfigurationException e = rejected(Map.of("init", "/bin/true", "hostname", hostname));
            assertEquals(hostname, "hostname", e.key());
            assertEquals(hostname, e.value());
            assertEquals(ContextSettings.HOSTNAME_FORM, e.acceptedForm());
        }
    }

    @Test
    public void validateRejectsUnknownStyle() {
        InvalidConfigurationException e = rejected(Map.of("init.style", "upstart"));
        assertEquals("init.style", e.key());
        assertEquals("upstart", e.value());
        assertEquals("plain, command, sysv or systemd", e.acceptedForm());
    }

    @Test
    public void validateRequiresInitForPlain() {
        InvalidConfigurationException e = rejected(Map.of());
        assertEquals("init", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("missing key 'init'"));
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("init.style plain has no default init"));
    }

    @Test
    public void validateRequiresInitForCommand() {
        InvalidConfigurationException e = rejected(Map.of("init.style", "command"));
        assertEquals("init", e.key());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("init.style command"));
    }

    @Test
    public void validateRejectsBlankInit() {
        InvalidConfigurationException e = rejected(Map.of("init", "   "));
        assertEquals("init", e.key());
        assertEquals("   ", e.value());
        assertEquals(ContextSettings.INIT_FORM, e.acceptedForm());
    }

    @Test
    public void preparePlainStyle() throws Exception {
        LaunchPlan plan = prepare(Map.of("init", "  /usr/sbin/sshd   -D -e "));
        assertEquals("web1", plan.hostname());
        assertEquals(List.of("/usr/sbin/sshd", "-D", "-e"), plan.init());
        assertFalse(plan.reaper());
        assertEquals("SIGTERM", plan.haltSignal());
        assertEquals(Map.of(), plan.environment());
    }

    @Test
    public void prepareCommandStyle() throws Exception {
        LaunchPlan plan = prepare(Map.of("init.style", "command", "init", "/bin/sleep infinity",
                "hostname", "db.example.org"));
        assertEquals("db.example.org", plan.hostname());
        assertEquals(List.of("/bin/sleep", "infinity"), plan.init());
        assertTrue(plan.reaper());
        assertEquals("SIGTERM", plan.haltSignal());
    }

    @Test
    public void prepareSysvStyle() throws Exception {
        LaunchPlan plan = prepare(Map.of("init.style", "sysv"));
        assertEquals(List.of("/sbin/init"), plan.init());
        assertFalse(plan.reaper());
        assertEquals("SIGPWR", plan.haltSignal());
    }

    @Test
    public void prepareSystemdStyle() throws Exception {
        LaunchPlan plan = prepare(Map.of("init.style", "systemd"));
        assertEquals(List.of("/lib/systemd/systemd"), plan.init());
        assertFalse(plan.reaper());
        assertEquals("SIGRTMIN+3", plan.haltSignal());
        assertEquals(Map.of("container", "vserver"), plan.environment());
    }

    @Test
    public void prepareKeepsExplicitInitForSysv() throws Exception {
        LaunchPlan plan = prepare(Map.of("init.style", "sysv", "init", "/bin/busybox init"));
        assertEquals(List.of("/bin/busybox", "init"), plan.init());
        assertEquals("SIGPWR", plan.haltSignal());
    }
}
