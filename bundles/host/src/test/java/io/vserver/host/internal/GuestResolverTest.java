package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;

public class GuestResolverTest {

    private final FakeElement fs = new FakeElement("fs", "image");
    private final FakeElement context = new FakeElement("context", "hostname", "init", "init.style");
    private final FakeElement capabilities = new FakeElement("capabilities", "capabilities.", "security.");
    private final List<IsolationElement> allDeployed = List.of(fs, context, capabilities);

    @Test
    public void resolvesOwnedKeys() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1",
                Map.of("image", "host", "hostname", "www", "autostart", "true", "restart", "on-failure"), 42,
                allDeployed);

        assertEquals("web1", resolution.spec().name());
        assertEquals(42, resolution.spec().xid());
        assertEquals("www", resolution.spec().get("hostname", null));
        assertEquals("42", resolution.spec().get("context", null));
        assertEquals(List.of(), resolution.missingElements());
    }

    @Test
    public void callsValidateOfRequiredElements() throws Exception {
        GuestResolver.resolve("web1", Map.of("hostname", "www"), 2, allDeployed);

        assertEquals(List.of("validate web1"), context.calls());
        assertEquals(List.of("validate web1"), capabilities.calls());
        assertEquals(List.of(), fs.calls());
    }

    @Test
    public void elementValidationFailurePropagates() {
        capabilities.validation = spec -> {
            throw InvalidConfigurationException.invalidValue("guest web1", "capabilities.profile", "all",
                    "default, minimal, classic or privileged");
        };

        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("capabilities.profile", "all"), 2, allDeployed));

        assertEquals("capabilities.profile", e.key());
    }

    @Test
    public void unknownKeyIsRejected() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("colour", "blue"), 2, allDeployed));

        assertEquals("colour", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown key 'colour'"));
        assertTrue(e.getMessage(), e.getMessage().contains("capabilities.*"));
    }

    @Test
    public void unownedKeyOfDeployedElementIsRejected() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("init", "/bin/sh", "init.foo", "1"), 2, allDeployed));

        assertEquals("init.foo", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown key 'init.foo'"));
    }

    @Test
    public void keyOfUndeployedElementNamesIt() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1",
                Map.of("limits.memory", "512M", "network.mode", "none"), 2, allDeployed);

        assertEquals(List.of("limits", "network"), resolution.missingElements());
    }

    @Test
    public void missingRequiredElementIsReported() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1", Map.of(), 2, List.of(fs));

        assertEquals(List.of("context", "capabilities"), resolution.missingElements());
    }

    @Test
    public void badNameIsRejected() {
        for (String name : List.of("Web1", "-web", "web_1", "", "a".repeat(64))) {
            InvalidConfigurationException e = assertThrows(name, InvalidConfigurationException.class,
                    () -> GuestResolver.resolve(name, Map.of(), 2, allDeployed));
            assertEquals("name", e.key());
        }
    }

    @Test
    public void namedPolicyIsNotFound() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("policies", "gold"), 2, allDeployed));

        assertEquals("policies", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("policy gold not found"));
    }

    @Test
    public void emptyPoliciesAreAccepted() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1", Map.of("policies", ""), 2, allDeployed);

        assertEquals(List.of(), resolution.spec().policies());
    }

    @Test
    public void badHostValuesAreRejected() {
        Map<String, String> cases = Map.of("restart", "sometimes", "autostart", "yes");
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            InvalidConfigurationException e = assertThrows(entry.getKey(), InvalidConfigurationException.class,
                    () -> GuestResolver.resolve("web1", Map.of(entry.getKey(), entry.getValue()), 2, allDeployed));
            assertEquals(entry.getKey(), e.key());
            assertEquals(entry.getValue(), e.value());
        }
    }

    @Test
    public void contextOutsideRangeIsRejected() {
        for (String value : List.of("0", "1", "49152", "web")) {
            InvalidConfigurationException e = assertThrows(value, InvalidConfigurationException.class,
                    () -> GuestResolver.parseContext("web1", value));
            assertEquals("context", e.key());
        }
    }

    @Test
    public void contextInRangeIsParsed() throws Exception {
        assertEquals(Integer.valueOf(2), GuestResolver.parseContext("web1", "2").orElseThrow());
        assertEquals(Integer.valueOf(49151), GuestResolver.parseContext("web1", " 49151 ").orElseThrow());
        assertTrue(GuestResolver.parseContext("web1", null).isEmpty());
    }
}
