package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.FailureReason;
import io.vserver.api.GuestNotFoundException;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStateException;
import io.vserver.api.GuestStatus;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.VServerException;

/** The registry and definition handling of the guest service; starts no guest. */
public class GuestServiceTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final MapDefinitions store = new MapDefinitions();
    private final ElementRegistry elements = new ElementRegistry();
    private GuestService service;

    @Before
    public void setUp() {
        elements.add(new FakeElement("fs", "image"));
        elements.add(new FakeElement("context", "hostname", "init", "init."));
        elements.add(new FakeElement("capabilities", "capabilities.", "security."));
    }

    @After
    public void tearDown() {
        if (service != null) {
            service.close();
        }
    }

    private GuestService open() throws Exception {
        Path root = folder.getRoot().toPath();
        HostSettings settings = new HostSettings(root.resolve("data"), root.resolve("run"),
                root.resolve("vcontext"), Duration.ofSeconds(1), "vserver-test-" + ProcessHandle.current().pid());
        service = new GuestService(settings, store, elements);
        service.open();
        return service;
    }

    @Test
    public void createAllocatesLowestXid() throws Exception {
        open();

        GuestStatus first = service.create("web1", Map.of("image", "host"), List.of());
        GuestStatus second = service.create("web2", Map.of(), List.of());

        assertEquals(2, first.xid());
        assertEquals(3, second.xid());
        assertEquals("2", store.get("web1").get("context"));
        assertEquals("3", store.get("web2").get("context"));
        assertEquals(GuestState.STOPPED, first.state());
    }

    @Test
    public void createKeepsGivenContext() throws Exception {
        open();

        GuestStatus status = service.create("web1", Map.of("context", "42"), List.of());

        assertEquals(42, status.xid());
        assertEquals(2, service.create("web2", Map.of(), List.of()).xid());
    }

    @Test
    public void createRejectsDuplicateName() throws Exception {
        open();
        service.create("web1", Map.of(), List.of());

        VServerException e = assertThrows(VServerException.class,
                () -> service.create("web1", Map.of(), List.of()));

        assertTrue(e.getMessage(), e.getMessage().contains("already exists"));
    }

    @Test
    public void createRejectsDuplicateContext() throws Exception {
        open();
        service.create("web1", Map.of("context", "42"), List.of());

        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> service.create("web2", Map.of("context", "42"), List.of()));

        assertEquals("context", e.key());
        assertNull(store.get("web2"));
    }

    @Test
    public void createRejectsUnknownKey() throws Exception {
        open();

        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> service.create("web1", Map.of("colour", "blue"), List.of()));

        assertEquals("colour", e.key());
        assertNull(store.get("web1"));
        assertEquals(List.of(), service.list());
    }

    @Test
    public void createRejectsBadName() throws Exception {
        open();

        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> service.create("Web_1", Map.of(), List.of()));

        assertEquals("name", e.key());
    }

    @Test
    public void loadStoresAllocatedXid() throws Exception {
        store.update("web1", Map.of("image", "host"));
        store.update("web2", Map.of("context", "2"));

        open();

        assertEquals(3, service.status("web1").xid());
        assertEquals("3", store.get("web1").get("context"));
        assertEquals(2, service.status("web2").xid());
    }

    @Test
    public void loadMarksDuplicateContextInvalid() throws Exception {
        store.update("web1", Map.of("context", "7"));
        store.update("web2", Map.of("context", "7"));

        open();

        assertNull(service.status("web1").failure());
        FailureReason failure = service.status("web2").failure();
        assertEquals(FailureReason.Code.INVALID_CONFIGURATION, failure.code());
        assertTrue(failure.message(), failure.message().contains("guest web1"));
    }

    @Test
    public void startWithUndeployedElementNamesFeature() throws Exception {
        open();
        service.create("web1", Map.of("limits.memory", "512M"), List.of());

        VServerException e = assertThrows(VServerException.class, () -> service.start("web1"));

        assertTrue(e.getMessage(), e.getMessage().contains("feature:install vserver-limits"));
        GuestStatus status = service.status("web1");
        assertEquals(GuestState.FAILED, status.state());
        assertEquals(FailureReason.Code.MISSING_ELEMENT, status.failure().code());
    }

    @Test
    public void invalidEditIsReportedWithKey() throws Exception {
        open();
        service.create("web1", Map.of(), List.of());
        Map<String, String> edited = new TreeMap<>(store.get("web1"));
        edited.put("colour", "blue");

        service.definitionListener().definitionChanged("web1", edited);
        service.awaitQueued("web1");

        FailureReason failure = service.status("web1").failure();
        assertEquals(FailureReason.Code.INVALID_CONFIGURATION, failure.code());
        assertTrue(failure.message(), failure.message().contains("'colour'"));
    }

    @Test
    public void validEditClearsFailure() throws Exception {
        open();
        service.create("web1", Map.of(), List.of());
        Map<String, String> edited = new TreeMap<>(store.get("web1"));
        edited.put("colour", "blue");
        service.definitionListener().definitionChanged("web1", edited);
        edited.remove("colour");
        edited.put("hostname", "www");

        service.definitionListener().definitionChanged("web1", edited);
        service.awaitQueued("web1");

        assertNull(service.status("web1").failure());
    }

    @Test
    public void fileDefinedGuestIsRegistered() throws Exception {
        open();

        service.definitionListener().definitionChanged("web9", Map.of("hostname", "www"));

        assertEquals(2, service.status("web9").xid());
        assertEquals("2", store.get("web9").get("context"));
    }

    @Test
    public void deletedDefinitionRemovesStoppedGuest() throws Exception {
        open();
        service.create("web1", Map.of(), List.of());

        service.definitionListener().definitionDeleted("web1");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (service.list().size() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThrows(GuestNotFoundException.class, () -> service.status("web1"));
    }

    @Test
    public void destroyRemovesDefinition() throws Exception {
        open();
        service.create("web1", Map.of(), List.of());

        service.destroy("web1", false);

        assertNull(store.get("web1"));
        assertThrows(GuestNotFoundException.class, () -> service.status("web1"));
    }

    @Test
    public void stopOfStoppedGuestIsRejected() throws Exception {
        open();
        service.create("web1", Map.of(), List.of());

        GuestStateException e = assertThrows(GuestStateException.class, () -> service.stop("web1", null));

        assertEquals(GuestState.STOPPED, e.state());
    }

    @Test
    public void statusFlagsPrivilegedAndHostNetwork() throws Exception {
        open();
        elements.add(new FakeElement("network", "network."));

        GuestStatus status = service.create("web1", Map.of("capabilities.profile", "privileged",
                "network.mode", "host"), List.of());

        assertEquals(List.of("privileged", "network=host"), status.flags());
        assertEquals(List.of("fs", "context", "capabilities", "network"), status.elements());
    }

    @Test
    public void spectateWithoutCommandIsRejected() throws Exception {
        open();

        VServerException e = assertThrows(VServerException.class, () -> service.spectate(List.of()));

        assertTrue(e.getMessage(), e.getMessage().contains("no command"));
    }

    @Test
    public void unknownGuestIsNotFound() throws Exception {
        open();

        assertThrows(GuestNotFoundException.class, () -> service.start("nobody"));
        assertThrows(GuestNotFoundException.class, () -> service.processes("nobody"));
    }
}
