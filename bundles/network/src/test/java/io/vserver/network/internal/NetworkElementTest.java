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
    }

    @Test
    public void validateRejectsLaterModes() {
        for (String mode : List.of("bind", "isolated")) {
            InvalidConfigurationException e = rejected(Map.of("network.mode", mode));
            assertEquals("network.mode", e.key());
            assertEquals(mode, e.value());
            assertEquals("none or host (bind and isolated are not implemented yet)", e.acceptedForm());
        }
    }

    @Test
    public void validateRejectsUnknownMode() {
        InvalidConfigurationException e = rejected(Map.of("network.mode", "bridge"));
        assertEquals("network.mode", e.key());
        assertEquals("bridge", e.value());
        assertEquals(NetworkElement.MODE_FORM, e.acceptedForm());
    }

    @Test
    public void validateRejectsAddressAndDevice() {
        InvalidConfigurationException address = rejected(Map.of("network.address", "127.0.0.2/8"));
        assertEquals("network.address", address.key());
        assertEquals("127.0.0.2/8", address.value());
        assertTrue(address.acceptedForm(), address.acceptedForm().contains("bind and isolated"));

        InvalidConfigurationException device = rejected(Map.of("network.mode", "host", "network.device", "lo"));
        assertEquals("network.device", device.key());
        assertEquals("lo", device.value());
        assertTrue(device.acceptedForm(), device.acceptedForm().contains("network.mode host"));
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
