package io.vserver.network.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
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

public class NetworkElementTest {

    private final NetworkElement element = new NetworkElement();

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
    public void requiredOnlyWithNetworkKeys() {
        assertFalse(element.isRequiredBy(spec(Map.of())));
        assertFalse(element.isRequiredBy(spec(Map.of("hostname", "web1"))));
        assertTrue(element.isRequiredBy(spec(Map.of("network.mode", "none"))));
    }

    @Test
    public void validateAcceptsGoodValues() throws Exception {
        element.validate(spec(Map.of()));
        element.validate(spec(Map.of("network.mode", "none")));
        element.validate(spec(Map.of("network.mode", "HOST")));
        element.validate(spec(Map.of("network.address", "127.0.1.11")));
        element.validate(spec(Map.of("network.address", "10.1.2.3,fd00::3", "network.device", "eth0",
                "network.namespace", "lab")));
        element.validate(spec(Map.of("network.mode", "isolated", "network.address", "10.0.0.2/24",
                "network.bridge", "br-lab", "network.gateway", "10.0.0.1", "network.namespace", "/run/netns/lab")));
    }

    @Test
    public void addressMakesBindTheDefault() throws Exception {
        NetworkSettings settings = NetworkSettings.of(spec(Map.of("network.address", "127.0.1.11")));
        assertEquals(NetworkSettings.Mode.BIND, settings.mode());
        assertEquals("127.0.1.11/32", settings.ipv4().withPrefix());
        assertNull(settings.ipv6());
        assertEquals(List.of(), settings.deviceAddresses());

        NetworkSettings both = NetworkSettings.of(spec(Map.of("network.address", "fd00::0:3, 10.1.2.3/32",
                "network.device", "eth0", "network.namespace", "lab")));
        assertEquals(List.of("10.1.2.3", "fd00:0:0:0:0:0:0:3"), both.addressList());
        assertEquals("[10.1.2.3/32, fd00:0:0:0:0:0:0:3/128]", both.deviceAddresses().toString());
        assertEquals(Path.of("/run/netns/lab"), both.namespace());
        assertEquals(NetworkSettings.Mode.NONE, NetworkSettings.of(spec(Map.of())).mode());
    }

    @Test
    public void validateRejectsUnknownMode() {
        InvalidConfigurationException e = rejected(Map.of("network.mode", "bridge"));
        assertEquals("network.mode", e.key());
        assertEquals("bridge", e.value());
        assertEquals(NetworkSettings.MODE_FORM, e.acceptedForm());
    }

    @Test
    public void validateRejectsBadAddresses() {
        for (String value : List.of("lots", "127.0.0.1", "0.0.0.0", "10.0.0.300", "10.0.0.2/33", "10.0.0.2/x",
                "10.0.0.2,10.0.0.3", "fd00::2", "::1,10.0.0.2", "224.0.0.1", "example.org", "127.0.2.1")) {
            InvalidConfigurationException e = rejected(Map.of("network.address", value));
            assertEquals(value, "network.address", e.key());
            assertEquals(value, value, e.value());
            assertTrue(e.acceptedForm(), e.acceptedForm().startsWith(NetworkSettings.ADDRESS_FORM));
        }
    }

    @Test
    public void bindTakesSingleAddresses() {
        InvalidConfigurationException e = rejected(Map.of("network.address", "10.1.2.3/24"));
        assertEquals("network.address", e.key());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("without a /PREFIX in bind mode"));
    }

    @Test
    public void bindAndIsolatedNeedAnAddress() {
        for (String mode : List.of("bind", "isolated")) {
            InvalidConfigurationException e = rejected(Map.of("network.mode", mode));
            assertEquals("network.address", e.key());
            assertNull(e.value());
            assertTrue(e.getMessage(), e.getMessage().contains("missing key 'network.address'"));
        }
    }

    @Test
    public void keysOfOtherModesAreRejected() {
        InvalidConfigurationException address = rejected(Map.of("network.mode", "none", "network.address",
                "127.0.1.11"));
        assertEquals("network.address", address.key());
        assertTrue(address.acceptedForm(), address.acceptedForm().contains("modes bind and isolated"));

        InvalidConfigurationException device = rejected(Map.of("network.mode", "host", "network.device", "lo"));
        assertEquals("network.device", device.key());
        assertEquals("lo", device.value());
        assertTrue(device.acceptedForm(), device.acceptedForm().contains("network.mode=host"));

        InvalidConfigurationException bridge = rejected(Map.of("network.address", "127.0.1.11",
                "network.bridge", "br0"));
        assertEquals("network.bridge", bridge.key());
        assertTrue(bridge.acceptedForm(), bridge.acceptedForm().contains("modes isolated"));
    }

    @Test
    public void loopbackAddressNeedsNoDevice() {
        InvalidConfigurationException e = rejected(Map.of("network.address", "127.0.1.11", "network.device",
                "lo"));
        assertEquals("network.device", e.key());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("remove network.device"));
    }

    @Test
    public void badNamesAreRejected() {
        assertEquals("network.device", rejected(Map.of("network.address", "10.0.0.2", "network.device",
                "eth0; reboot")).key());
        assertEquals("network.namespace", rejected(Map.of("network.address", "10.0.0.2", "network.namespace",
                "../etc")).key());
        assertEquals("network.bridge", rejected(Map.of("network.mode", "isolated", "network.address",
                "10.0.0.2/24", "network.bridge", "a-very-long-bridge-name")).key());
        assertEquals("network.gateway", rejected(Map.of("network.mode", "isolated", "network.address",
                "10.0.0.2/24", "network.gateway", "fd00::1")).key());
    }

    @Test
    public void validateRejectsUnknownKey() {
        InvalidConfigurationException e = rejected(Map.of("network.adress", "127.0.0.2"));
        assertEquals("network.adress", e.key());
        assertNull(e.value());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("network.address"));
    }

    @Test
    public void prepareNoneIsNewNamespace() throws Exception {
        LaunchPlan plan = prepare(Map.of("network.mode", "none"));
        assertEquals(LaunchPlan.NetworkNamespace.NEW, plan.network());
        assertNull(plan.networkNamespacePath());
    }

    @Test
    public void prepareHostSharesNamespace() throws Exception {
        LaunchPlan plan = prepare(Map.of("network.mode", "host"));
        assertEquals(LaunchPlan.NetworkNamespace.HOST, plan.network());
    }

    @Test
    public void flagsMarkHostNetwork() throws Exception {
        assertEquals(List.of("network=host"), NetworkElement.flags(spec(Map.of("network.mode", "host"))));
        assertEquals(List.of(), NetworkElement.flags(spec(Map.of("network.mode", "none"))));
        assertEquals(List.of(), NetworkElement.flags(spec(Map.of())));
        assertEquals(List.of("network=host"), new NetworkElement().statusFlags(spec(Map.of("network.mode", "host"))));
    }
}
