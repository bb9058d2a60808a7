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
    private final ElementRegistry registry = new ElementRegistry();
    private final PolicyRegistry policies = new PolicyRegistry(registry);

    {
        allDeployed.forEach(registry::add);
    }

    @Test
    public void resolvesOwnedKeys() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1",
                Map.of("image", "host", "hostname", "www", "autostart", "true", "restart", "on-failure"), 42,
                allDeployed, policies);

        assertEquals("web1", resolution.spec().name());
        assertEquals(42, resolution.spec().xid());
        assertEquals("www", resolution.spec().get("hostname", null));
        assertEquals("42", resolution.spec().get("context", null));
        assertEquals(List.of(), resolution.missingElements());
    }

    @Test
    public void callsValidateOfRequiredElements() throws Exception {
        GuestResolver.resolve("web1", Map.of("hostname", "www"), 2, allDeployed, policies);

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
                () -> GuestResolver.resolve("web1", Map.of("capabilities.profile", "all"), 2, allDeployed, policies));

        assertEquals("capabilities.profile", e.key());
    }

    @Test
    public void unknownKeyIsRejected() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("colour", "blue"), 2, allDeployed, policies));

        assertEquals("colour", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown key 'colour'"));
        assertTrue(e.getMessage(), e.getMessage().contains("capabilities.*"));
    }

    @Test
    public void unownedKeyOfDeployedElementIsRejected() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("init", "/bin/sh", "init.foo", "1"), 2, allDeployed, policies));

        assertEquals("init.foo", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("unknown key 'init.foo'"));
    }

    @Test
    public void keyOfUndeployedElementNamesIt() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1",
                Map.of("limits.memory", "512M", "network.mode", "none"), 2, allDeployed, policies);

        assertEquals(List.of("limits", "network"), resolution.missingElements());
    }

    @Test
    public void missingRequiredElementIsReported() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1", Map.of(), 2, List.of(fs), policies);

        assertEquals(List.of("context", "capabilities"), resolution.missingElements());
    }

    @Test
    public void badNameIsRejected() {
        for (String name : List.of("Web1", "-web", "web_1", "", "a".repeat(64))) {
            InvalidConfigurationException e = assertThrows(name, InvalidConfigurationException.class,
                    () -> GuestResolver.resolve(name, Map.of(), 2, allDeployed, policies));
            assertEquals("name", e.key());
        }
    }

    @Test
    public void undefinedPolicyIsReported() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1", Map.of("policies", "gold"), 2,
                allDeployed, policies);

        assertEquals(List.of("gold"), resolution.missingPolicies());
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                resolution::requirePolicies);
        assertEquals("policies", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("policy gold is not defined"));
    }

    @Test
    public void policiesMergeInOrderUnderGuestKeys() throws Exception {
        policies.replace("config:a", List.of(new PolicyRegistry.Definition("base",
                Map.of("hostname", "base", "capabilities.profile", "minimal", "image", "host"), "a.cfg", null)));
        policies.replace("config:b", List.of(new PolicyRegistry.Definition("tight",
                Map.of("capabilities.profile", "classic", "security.seccomp", "default"), "b.cfg", null)));

        GuestResolver.Resolution resolution = GuestResolver.resolve("web1",
                Map.of("policies", "base, tight", "hostname", "www"), 2, allDeployed, policies);

        assertEquals(List.of("base", "tight"), resolution.spec().policies());
        assertEquals("www", resolution.spec().get("hostname", null));
        assertEquals("guest", resolution.spec().sources().get("hostname"));
        assertEquals("classic", resolution.spec().get("capabilities.profile", null));
        assertEquals("policy tight", resolution.spec().sources().get("capabilities.profile"));
        assertEquals("policy base", resolution.spec().sources().get("image"));
        assertEquals(List.of(), resolution.missingPolicies());
    }

    @Test
    public void policyDefinedTwiceIsRejected() {
        policies.replace("config:a", List.of(new PolicyRegistry.Definition("web", Map.of("hostname", "a"),
                "etc/io.vserver.policy-web.cfg", null)));
        policies.replace("bundle:7", List.of(new PolicyRegistry.Definition("web", Map.of("hostname", "b"),
                "bundle stock 1.0.0, file policies/web.cfg", null)));

        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("policies", "web"), 2, allDeployed, policies));

        assertEquals("policies", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("etc/io.vserver.policy-web.cfg"));
        assertTrue(e.getMessage(), e.getMessage().contains("bundle stock 1.0.0, file policies/web.cfg"));
    }

    @Test
    public void policyWithBadValueIsRejected() {
        capabilities.validation = spec -> {
            if ("all".equals(spec.get("capabilities.profile", null))) {
                throw InvalidConfigurationException.invalidValue(spec.label(), "capabilities.profile", "all",
                        "default, minimal, classic or privileged");
            }
        };
        policies.replace("bundle:7", List.of(new PolicyRegistry.Definition("wide",
                Map.of("capabilities.profile", "all"), "bundle stock 1.0.0, file policies/wide.cfg", null)));

        String problem = policies.find("wide").problem();

        assertTrue(problem, problem.startsWith("policy wide (bundle stock 1.0.0, file policies/wide.cfg): invalid "
                + "value 'all' for key 'capabilities.profile': expected default, minimal, classic or privileged"));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestResolver.resolve("web1", Map.of("policies", "wide"), 2, allDeployed, policies));
        assertTrue(e.getMessage(), e.getMessage().contains("policy wide (bundle stock"));
    }

    @Test
    public void policyMustNotSetGuestKeys() {
        policies.replace("config:a", List.of(new PolicyRegistry.Definition("pinned", Map.of("context", "7"),
                "a.cfg", null), new PolicyRegistry.Definition("odd", Map.of("colour", "blue"), "a.cfg", null)));

        assertTrue(policies.find("pinned").problem(), policies.find("pinned").problem().contains(
                "context is set by each guest itself"));
        assertTrue(policies.find("odd").problem(), policies.find("odd").problem().contains("unknown key 'colour'"));
    }

    @Test
    public void policyHostValuesAndNameAreChecked() {
        policies.replace("config:a", List.of(new PolicyRegistry.Definition("eager", Map.of("autostart", "maybe"),
                "a.cfg", null), new PolicyRegistry.Definition("Bad_Name", Map.of("hostname", "x"), "b.cfg", null)));

        assertTrue(policies.find("eager").problem(), policies.find("eager").problem().contains(
                "invalid value 'maybe' for key 'autostart': expected true or false"));
        assertTrue(policies.find("Bad_Name").problem(), policies.find("Bad_Name").problem().contains(
                "invalid policy name 'Bad_Name'"));
    }

    @Test
    public void listenersLearnChangedNames() {
        List<java.util.Set<String>> changes = new java.util.ArrayList<>();
        policies.addListener(changes::add);

        policies.replace("config:a", List.of(new PolicyRegistry.Definition("web", Map.of("hostname", "a"), "a.cfg",
                null)));
        policies.replace("config:a", List.of(new PolicyRegistry.Definition("web", Map.of("hostname", "a"), "a.cfg",
                null)));
        policies.replace("config:a", List.of());

        assertEquals(List.of(java.util.Set.of("web"), java.util.Set.of("web")), changes);
    }

    @Test
    public void emptyPoliciesAreAccepted() throws Exception {
        GuestResolver.Resolution resolution = GuestResolver.resolve("web1", Map.of("policies", ""), 2, allDeployed, policies);

        assertEquals(List.of(), resolution.spec().policies());
    }

    @Test
    public void badHostValuesAreRejected() {
        Map<String, String> cases = Map.of("restart", "sometimes", "autostart", "yes");
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            InvalidConfigurationException e = assertThrows(entry.getKey(), InvalidConfigurationException.class,
                    () -> GuestResolver.resolve("web1", Map.of(entry.getKey(), entry.getValue()), 2, allDeployed, policies));
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
