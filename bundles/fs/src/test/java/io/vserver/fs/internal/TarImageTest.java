package io.vserver.fs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TarImageTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Path images;
    private TarImage tarImage;

    @Before
    public void createStore() throws IOException {
        images = folder.newFolder("images").toPath();
        tarImage = new TarImage(images, new TarProgram("tar"));
    }

    /** Runs tar (or another program) in {@code directory} and fails the test when it fails. */
    private static void run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue("timed out: " + String.join(" ", command), process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(String.join(" ", command) + ": " + output, 0, process.exitValue());
    }

    private Path rootfsTree() throws IOException {
        Path tree = folder.newFolder("tree").toPath();
        Files.createDirectories(tree.resolve("usr/bin"));
        Files.writeString(tree.resolve("usr/bin/hello"), "#!/bin/sh\necho hello\n");
        Files.setAttribute(tree.resolve("usr/bin/hello"), "unix:mode", 04755);
        Files.createSymbolicLink(tree.resolve("bin"), Path.of("usr/bin"));
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/secret"), "s");
        Files.setPosixFilePermissions(tree.resolve("etc/secret"), PosixFilePermissions.fromString("rw-------"));
        return tree;
    }

    private List<Path> unpackedImages() throws IOException {
        try (Stream<Path> entries = Files.list(images)) {
            return new ArrayList<>(entries.toList());
        }
    }

    @Test
    public void unpacksCompressedArchives() throws Exception {
        RootRequirement.requireRoot("keep the owners of unpacked files");
        Path tree = rootfsTree();
        run(tree, "chown", "1234:1235", "etc/secret");
        for (String[] format : List.of(new String[] {"root.tar", "-cf"}, new String[] {"root.tar.gz", "-czf"},
                new String[] {"root.tar.xz", "-cJf"})) {
            Path archive = folder.getRoot().toPath().resolve(format[0]);
            run(tree, "tar", format[1], archive.toString(), ".");

            Path image = tarImage.ensure(archive);

            assertTrue(image.getFileName().toString().startsWith("tar-"));
            assertEquals(format[0], "#!/bin/sh\necho hello\n", Files.readString(image.resolve("usr/bin/hello")));
            assertEquals(04755, (int) Files.getAttribute(image.resolve("usr/bin/hello"), "unix:mode") & 07777);
            assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(image.resolve("bin")));
            assertEquals(1234, Files.getAttribute(image.resolve("etc/secret"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(1235, Files.getAttribute(image.resolve("etc/secret"), "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }
        assertEquals(3, unpackedImages().size());
    }

    @Test
    public void unpacksOnceUntilArchiveChanges() throws Exception {
        Path tree = rootfsTree();
        Path archive = folder.getRoot().toPath().resolve("root.tar");
        run(tree, "tar", "-cf", archive.toString(), ".");

        Path first = tarImage.ensure(archive);
        Files.writeString(first.resolve("marker"), "kept");
        assertEquals(first, tarImage.ensure(archive));
        assertTrue(Files.exists(first.resolve("marker")));

        Files.setLastModifiedTime(archive, FileTime.fromMillis(Files.getLastModifiedTime(archive).toMillis() + 5000));
        Path second = tarImage.ensure(archive);
        assertNotEquals(first, second);
        assertFalse(Files.exists(second.resolve("marker")));
    }

    @Test
    public void rejectsAbsoluteNames() throws Exception {
        Path tree = rootfsTree();
        Path archive = folder.getRoot().toPath().resolve("absolute.tar");
        run(tree, "tar", "-cPf", archive.toString(), tree.resolve("etc").toString());

        IOException e = assertThrows(IOException.class, () -> tarImage.ensure(archive));
        assertTrue(e.getMessage(), e.getMessage().contains("has an absolute path"));
        assertEquals(List.of(), unpackedImages());
    }

    @Test
    public void rejectsParentComponents() throws Exception {
        Path tree = rootfsTree();
        Path archive = folder.getRoot().toPath().resolve("parent.tar");
        run(tree, "tar", "-cPf", archive.toString(), "--transform=s,^etc,../../etc,", "etc");

        IOException e = assertThrows(IOException.class, () -> tarImage.ensure(archive));
        assertTrue(e.getMessage(), e.getMessage().contains("has a '..' component"));
        assertEquals(List.of(), unpackedImages());
    }

    @Test
    public void rejectsEntriesBelowSymlink() throws Exception {
        Path outside = folder.newFolder("outside").toPath();
        Path first = folder.newFolder("first").toPath();
        Files.createSymbolicLink(first.resolve("escape"), outside);
        Path second = folder.newFolder("second").toPath();
        Files.createDirectories(second.resolve("escape"));
        Files.writeString(second.resolve("escape/planted"), "x");
        Path archive = folder.getRoot().toPath().resolve("escape.tar");
        run(first, "tar", "-cf", archive.toString(), "escape");
        run(second, "tar", "-rf", archive.toString(), "escape/planted");

        IOException e = assertThrows(IOException.class, () -> tarImage.ensure(archive));
        assertTrue(e.getMessage(), e.getMessage().contains("escape/planted"));
        assertFalse(Files.exists(outside.resolve("planted")));
        assertEquals(List.of(), unpackedImages());
    }

    @Test
    public void skipsDeviceNodes() throws Exception {
        RootRequirement.requireRoot("create a device node for the archive");
        Path tree = rootfsTree();
        Files.createDirectories(tree.resolve("dev"));
        run(tree, "mknod", "dev/null", "c", "1", "3");
        Path archive = folder.getRoot().toPath().resolve("devices.tar");
        run(tree, "tar", "-cf", archive.toString(), ".");

        Path image = tarImage.ensure(archive);

        assertTrue(Files.isDirectory(image.resolve("dev")));
        assertFalse(Files.exists(image.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.exists(image.resolve("usr/bin/hello")));
    }

    @Test
    public void rejectsMissingArchive() {
        IOException e = assertThrows(IOException.class,
                () -> tarImage.ensure(folder.getRoot().toPath().resolve("missing.tar")));
        assertTrue(e.getMessage(), e.getMessage().contains("missing.tar"));
    }

    @Test
    public void reportsCorruptArchive() throws Exception {
        Path archive = Files.writeString(folder.getRoot().toPath().resolve("corrupt.tar.gz"), "not an archive");
        IOException e = assertThrows(IOException.class, () -> tarImage.ensure(archive));
        assertTrue(e.getMessage(), e.getMessage().startsWith("tar failed to list"));
        assertEquals(List.of(), unpackedImages());
    }
}
