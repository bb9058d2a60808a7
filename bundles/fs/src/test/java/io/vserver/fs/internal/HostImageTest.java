package io.vserver.fs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.LaunchPlan;

public class HostImageTest {

    /** Every entry the generated /etc may contain, apart from the files of ld.so.conf.d and alternatives. */
    private static final Set<String> ALLOWED_ETC = Set.of("passwd", "group", "shadow", "gshadow", "hostname", "hosts",
            "resolv.conf", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
            "os-release");

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Path fakeHost;

    /** Builds a host root with a split /usr (real /bin, /lib), secrets in /etc and a merged /sbin. */
    @Before
    public void createFakeHost() throws IOException {
        fakeHost = folder.newFolder("host").toPath();
        Path etc = Files.createDirectories(fakeHost.resolve("etc"));
        Files.writeString(etc.resolve("shadow"), "root:$6$salt$hash:19000:0:99999:7:::\nalice:$6$x$y:1:::::\n");
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:\n");
        Files.createDirectories(etc.resolve("ssh"));
        Files.writeString(etc.resolve("ssh/ssh_host_ed25519_key"), "PRIVATE KEY");
        Files.writeString(etc.resolve("machine-id"), "0123456789abcdef\n");
        Files.writeString(etc.resolve("resolv.conf"), "nameserver 127.0.0.53\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "hosts: files dns\n");
        Files.writeString(etc.resolve("ld.so.conf"), "include /etc/ld.so.conf.d/*.conf\n");
        Files.write(etc.resolve("ld.so.cache"), new byte[] {1, 2, 3});
        Files.createDirectories(etc.resolve("ld.so.conf.d"));
        Files.writeString(etc.resolve("ld.so.conf.d/libc.conf"), "/usr/local/lib\n");
        Files.createDirectories(etc.resolve("alternatives"));
        Files.createSymbolicLink(etc.resolve("alternatives/editor"), Path.of("/usr/bin/vim.basic"));
        Files.writeString(etc.resolve("alternatives/README"), "not a link");
        Files.createDirectories(fakeHost.resolve("usr/bin"));
        Files.createDirectories(fakeHost.resolve("bin"));
        Files.createDirectories(fakeHost.resolve("lib"));
        Files.createSymbolicLink(fakeHost.resolve("sbin"), Path.of("usr/sbin"));
    }

    private Path generate(Path hostRoot) throws IOException {
        HostImage image = new HostImage(hostRoot, folder.getRoot().toPath().resolve("images"));
        return image.ensure();
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file);
    }

    @Test
    public void shadowHasOnlyLockedRoot() throws IOException {
        Path image = generate(fakeHost);
        List<String> shadow = lines(image.resolve("etc/shadow"));
        assertEquals(1, shadow.size());
        String[] fields = shadow.get(0).split(":", -1);
        assertEquals("root", fields[0]);
        assertEquals("!", fields[1]);
        assertEquals(9, fields.length);
        assertEquals(PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(image.resolve("etc/shadow")));
    }

    @Test
    public void accountFilesHaveOnlyRoot() throws IOException {
        Path image = generate(fakeHost);
        assertEquals(List.of("root:x:0:0:root:/root:/bin/sh"), lines(image.resolve("etc/passwd")));
        assertEquals(List.of("root:x:0:"), lines(image.resolve("etc/group")));
        assertEquals(List.of("root:!::"), lines(image.resolve("etc/gshadow")));
    }

    @Test
    public void etcHasOnlyListedFiles() throws IOException {
        Path image = generate(fakeHost);
        Set<String> names;
        try (Stream<Path> entries = Files.list(image.resolve("etc"))) {
            names = entries.map(path -> path.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertTrue(names.toString(), ALLOWED_ETC.containsAll(names));
        assertFalse(Files.exists(image.resolve("etc/ssh")));
        assertFalse(Files.exists(image.resolve("etc/machine-id")));
    }

    @Test
    public void copiesListedHostFiles() throws IOException {
        Path image = generate(fakeHost);
        assertEquals("nameserver 127.0.0.53\n", Files.readString(image.resolve("etc/resolv.conf")));
        assertEquals("hosts: files dns\n", Files.readString(image.resolve("etc/nsswitch.conf")));
        assertEquals("/usr/local/lib\n", Files.readString(image.resolve("etc/ld.so.conf.d/libc.conf")));
        assertEquals(3, Files.size(image.resolve("etc/ld.so.cache")));
        assertEquals(Path.of("/usr/bin/vim.basic"), Files.readSymbolicLink(image.resolve("etc/alternatives/editor")));
        assertFalse(Files.exists(image.resolve("etc/alternatives/README")));
        assertTrue(Files.readString(image.resolve("etc/hosts")).contains("127.0.0.1\tlocalhost"));
    }

    @Test
    public void layoutMirrorsHostUsr() throws IOException {
        Path image = generate(fakeHost);
        assertTrue(Files.isDirectory(image.resolve("usr"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isDirectory(image.resolve("bin"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isDirectory(image.resolve("lib"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(Path.of("usr/sbin"), Files.readSymbolicLink(image.resolve("sbin")));
        assertFalse(Files.exists(image.resolve("lib64"), LinkOption.NOFOLLOW_LINKS));
        for (String directory : List.of("root", "var", "tmp", "run", "home", "proc", "sys", "dev")) {
            assertTrue(directory, Files.isDirectory(image.resolve(directory), LinkOption.NOFOLLOW_LINKS));
        }
        assertEquals(01777, (int) Files.getAttribute(image.resolve("tmp"), "unix:mode") & 07777);
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(image.resolve("root")));
    }

    @Test
    public void bindsOnlyRealDirectories() {
        HostImage image = new HostImage(fakeHost, folder.getRoot().toPath().resolve("images"));
        List<LaunchPlan.Bind> expected = List.of(
                new LaunchPlan.Bind(fakeHost.resolve("usr"), "/usr", true),
                new LaunchPlan.Bind(fakeHost.resolve("bin"), "/bin", true),
                new LaunchPlan.Bind(fakeHost.resolve("lib"), "/lib", true));
        assertEquals(expected, image.binds());
    }

    @Test
    public void generatesOnce() throws IOException {
        Path image = generate(fakeHost);
        Path marker = Files.writeString(image.resolve("marker"), "kept");
        assertEquals(image, generate(fakeHost));
        assertTrue(Files.exists(marker));
    }

    @Test
    public void realHostEtcIsNotCopied() throws IOException {
        Path image = generate(Path.of("/"));
        assertEquals(1, lines(image.resolve("etc/shadow")).size());
        assertTrue(lines(image.resolve("etc/shadow")).get(0).startsWith("root:!:"));
        try (Stream<Path> entries = Files.list(image.resolve("etc"))) {
            entries.forEach(path -> assertTrue(path.toString(),
                    ALLOWED_ETC.contains(path.getFileName().toString())));
        }
        for (String name : List.of("usr", "bin", "sbin", "lib", "lib64")) {
            Path host = Path.of("/", name);
            if (Files.isSymbolicLink(host)) {
                assertEquals(name, Files.readSymbolicLink(host), Files.readSymbolicLink(image.resolve(name)));
            }
        }
    }
}
