package io.vserver.fs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.LaunchPlan;
import io.vserver.api.VServerException;

public class FsElementTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Path data;
    private Path run;
    private FsElement element;
    private GuestRecord record;

    @Before
    public void createDirectories() throws IOException {
        data = folder.newFolder("data").toPath();
        run = folder.newFolder("run").toPath();
        Path hostRoot = folder.newFolder("host").toPath();
        Files.createDirectories(hostRoot.resolve("usr/bin"));
        Files.createDirectories(hostRoot.resolve("etc"));
        Files.createSymbolicLink(hostRoot.resolve("bin"), Path.of("usr/bin"));
        element = new FsElement(hostRoot, data.resolve("images"), new TarProgram("tar"));
        record = new GuestRecord("web1", 42, data.resolve("guests/web1"), run.resolve("guests/web1"), "vserver/web1");
    }

    private static GuestSpec spec(Map<String, String> settings) {
        return new GuestSpec("web1", 42, List.of(), settings, Map.of());
    }

    private LaunchPlan prepare(Map<String, String> settings) throws VServerException {
        LaunchPlan plan = new LaunchPlan();
        element.prepare(spec(settings), record, plan);
        return plan;
    }

    private InvalidConfigurationException rejected(String image) {
        return assertThrows(InvalidConfigurationException.class, () -> element.validate(spec(Map.of("image", image))));
    }

    @Test
    public void requiredByEveryGuest() {
        assertTrue(element.isRequiredBy(spec(Map.of())));
    }

    @Test
    public void validateAcceptsGoodValues() throws Exception {
        Path archive = Files.writeString(folder.getRoot().toPath().resolve("root.tar.xz"), "");
        element.validate(spec(Map.of()));
        element.validate(spec(Map.of("image", "host")));
        element.validate(spec(Map.of("image", "dir:" + folder.getRoot())));
        element.validate(spec(Map.of("image", "tar:" + archive)));
    }

    @Test
    public void validateRejectsBadForms() {
        for (String image : List.of("", "Host", "oci:/srv/image", "dir:", "dir:relative/path", "tar:/srv/root.zip",
                "tar:relative.tar")) {
            InvalidConfigurationException e = rejected(image);
            assertEquals(image, "image", e.key());
            assertEquals(image, e.value());
            assertEquals(image, ImageSource.ACCEPTED_FORM, e.acceptedForm());
        }
    }

    @Test
    public void validateRejectsMissingDirectory() {
        String image = "dir:" + folder.getRoot().toPath().resolve("missing");
        InvalidConfigurationException e = rejected(image);
        assertEquals("image", e.key());
        assertEquals(image, e.value());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("an existing directory"));
    }

    @Test
    public void validateRejectsMissingArchive() {
        String image = "tar:" + folder.getRoot().toPath().resolve("missing.tar.gz");
        InvalidConfigurationException e = rejected(image);
        assertEquals("image", e.key());
        assertEquals(image, e.value());
        assertTrue(e.acceptedForm(), e.acceptedForm().contains("an existing archive file"));
    }

    @Test
    public void prepareHostImage() throws Exception {
        LaunchPlan plan = prepare(Map.of("hostname", "www.example.org"));

        Path image = data.resolve("images/host").toRealPath();
        assertEquals(List.of(image), plan.lowerDirectories());
        assertEquals(record.dataDirectory().resolve("upper"), plan.upperDirectory());
        assertEquals(record.dataDirectory().resolve("work"), plan.workDirectory());
        assertEquals(record.runDirectory().resolve("rootfs"), plan.root());
        assertTrue(Files.isDirectory(plan.upperDirectory()));
        assertTrue(Files.isDirectory(plan.workDirectory()));
        assertTrue(Files.isDirectory(plan.root()));
        assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(image.resolve("bin")));

        List<LaunchPlan.Bind> binds = plan.binds();
        assertEquals(3, binds.size());
        assertEquals("/usr", binds.get(0).target());
        assertTrue(binds.get(0).readOnly());
        assertEquals("/etc/hostname", binds.get(1).target());
        assertEquals("www.example.org\n", Files.readString(binds.get(1).source()));
        assertEquals("/etc/hosts", binds.get(2).target());
        assertTrue(Files.readString(binds.get(2).source()).contains("127.0.1.1\twww.example.org\n"));
    }

    @Test
    public void prepareDirImageResolvesSymlinks() throws Exception {
        Path rootfs = folder.newFolder("rootfs").toPath();
        Path link = Files.createSymbolicLink(folder.getRoot().toPath().resolve("current"), rootfs);
        LaunchPlan plan = prepare(Map.of("image", "dir:" + link));
        assertEquals(List.of(rootfs.toRealPath()), plan.lowerDirectories());
        assertEquals(List.of(), plan.binds());
    }

    @Test
    public void prepareRejectsImageContainingUpper() {
        VServerException e = assertThrows(VServerException.class,
                () -> prepare(Map.of("image", "dir:" + data)));
        assertTrue(e.getMessage(), e.getMessage().contains("overlaps the guest's directory"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("guest web1 (xid 42): "));
    }

    @Test
    public void releaseRemovesEmptyMountPoint() throws Exception {
        LaunchPlan plan = prepare(Map.of());
        element.release(record);
        assertFalse(Files.exists(plan.root()));
        assertTrue(Files.isDirectory(plan.upperDirectory()));
        element.release(record);
    }

    @Test
    public void releaseKeepsNonEmptyMountPoint() throws Exception {
        LaunchPlan plan = prepare(Map.of());
        Files.writeString(plan.root().resolve("left-over"), "x");
        element.release(record);
        assertTrue(Files.exists(plan.root().resolve("left-over")));
    }

    @Test
    public void deleteGuestLayersRemovesUpperAndWork() throws Exception {
        LaunchPlan plan = prepare(Map.of());
        Path outside = Files.writeString(folder.getRoot().toPath().resolve("outside"), "keep");
        Files.createSymbolicLink(plan.upperDirectory().resolve("escape"), folder.getRoot().toPath());
        Files.createDirectories(plan.upperDirectory().resolve("etc"));
        Files.writeString(plan.upperDirectory().resolve("etc/motd"), "hello");
        FsElement.deleteGuestLayers(record);
        assertFalse(Files.exists(plan.upperDirectory()));
        assertFalse(Files.exists(plan.workDirectory()));
        assertTrue(Files.exists(outside));
        FsElement.deleteGuestLayers(record);
    }
}
