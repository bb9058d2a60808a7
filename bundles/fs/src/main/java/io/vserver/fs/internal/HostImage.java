package io.vserver.fs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.LaunchPlan;

/**
 * The built-in image {@code host}: the host's own OS shared read-only with every guest. The
 * lower layer is a small generated directory, {@code DATA/images/host}, with empty mount
 * points, the host's merged-/usr links and a fresh /etc. The OS itself comes in through
 * read-only bind mounts of /usr and of /bin, /sbin, /lib, /lib64 and /lib32 where the host has
 * them as real directories.
 *
 * <p>The generated /etc has only root in passwd, group, shadow and gshadow, with a locked
 * password, and takes from the host's /etc only the files in {@link #COPIED_ETC_FILES}, the
 * files of ld.so.conf.d and the links of alternatives. No key, password hash or other secret
 * of the host reaches a guest.
 */
final class HostImage {

    private static final Logger LOG = LoggerFactory.getLogger(HostImage.class);

    /** Directory name of the image in the image store. */
    static final String NAME = "host";

    /** Top-level directories that are bound from the host when they are real directories there. */
    static final List<String> OS_DIRECTORIES = List.of("usr", "bin", "sbin", "lib", "lib64", "lib32");

    /** Files copied from the host's /etc: name resolution and the dynamic loader's configuration. */
    static final List<String> COPIED_ETC_FILES = List.of("resolv.conf", "nsswitch.conf", "ld.so.cache", "ld.so.conf");

    /** Empty directories of the image and their octal modes. Writes to them land in the guest's upper. */
    private static final Map<String, Integer> DIRECTORIES = directories();

    private static Map<String, Integer> directories() {
        Map<String, Integer> directories = new LinkedHashMap<>();
        directories.put("root", 0700);
        directories.put("home", 0755);
        directories.put("tmp", 01777);
        directories.put("run", 0755);
        directories.put("var", 0755);
        directories.put("var/cache", 0755);
        directories.put("var/lib", 0755);
        directories.put("var/log", 0755);
        directories.put("var/spool", 0755);
        directories.put("var/tmp", 01777);
        directories.put("proc", 0555);
        directories.put("sys", 0555);
        directories.put("dev", 0755);
        directories.put("etc", 0755);
        return directories;
    }

    private final Path hostRoot;
    private final Path directory;

    /**
     * @param hostRoot the root of the host file system to share, {@code /} outside tests
     * @param imagesDirectory the image store, {@code DATA/images}
     */
    HostImage(Path hostRoot, Path imagesDirectory) {
        this.hostRoot = hostRoot;
        this.directory = imagesDirectory.resolve(NAME);
    }

    /** Returns the image's directory, the lower layer of guests with {@code image=host}. */
    Path directory() {
        return directory;
    }

    /**
     * Generates the image unless it exists. The image is built in a temporary directory next to
     * its final place and renamed into place, so a crash leaves no half-built image behind.
     *
     * <p>NOTE: an existing image is not refreshed when the host's resolv.conf, ld.so.cache or
     * alternatives change. Remove {@code DATA/images/host} while no guest uses it to regenerate it.
     */
    synchronized Path ensure() throws IOException {
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return directory;
        }
        Files.createDirectories(directory.getParent());
        Path staging = Files.createTempDirectory(directory.getParent(), "." + NAME + "-");
        try {
            generate(staging);
            Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Generated the host image in {}", directory);
        } catch (FileAlreadyExistsException e) {
            LOG.debug("Host image {} appeared while generating it, keeping the existing one", directory);
        } finally {
            FileTrees.deleteIfExists(staging);
        }
        return directory;
    }

    /** Writes the image's layout and /etc into {@code target}, an empty directory. */
    void generate(Path target) throws IOException {
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (Map.Entry<String, Integer> entry : DIRECTORIES.entrySet()) {
            Path path = Files.createDirectories(target.resolve(entry.getKey()));
            // The "unix:mode" attribute is chmod(2) with all 12 bits, unlike PosixFilePermissions, which lacks the sticky bit.
            Files.setAttribute(path, "unix:mode", entry.getValue());
        }
        Files.createSymbolicLink(target.resolve("var/run"), Path.of("/run"));
        Files.createSymbolicLink(target.resolve("var/lock"), Path.of("/run/lock"));
        for (String name : OS_DIRECTORIES) {
            Path hostPath = hostRoot.resolve(name);
            if (Files.isSymbolicLink(hostPath)) {
                Files.createSymbolicLink(target.resolve(name), Files.readSymbolicLink(hostPath));
            } else if (Files.isDirectory(hostPath)) {
                Files.createDirectory(target.resolve(name));
            }
        }
        new EtcGenerator(hostRoot.resolve("etc"), target.resolve("etc")).generate();
    }

    /**
     * Returns the read-only binds that share the host's OS: /usr, and each of /bin, /sbin,
     * /lib, /lib64 and /lib32 that is a real directory on the host rather than a merged-/usr link.
     */
    List<LaunchPlan.Bind> binds() {
        List<LaunchPlan.Bind> binds = new ArrayList<>();
        for (String name : OS_DIRECTORIES) {
            Path hostPath = hostRoot.resolve(name);
            if (Files.isDirectory(hostPath, LinkOption.NOFOLLOW_LINKS)) {
                binds.add(new LaunchPlan.Bind(hostPath, "/" + name, true));
            }
        }
        return binds;
    }

    /**
     * Generates the fresh /etc of the image from a few files of the host's /etc.
     */
    static final class EtcGenerator {

        private final Path hostEtc;
        private final Path etc;

        EtcGenerator(Path hostEtc, Path etc) {
            this.hostEtc = hostEtc;
            this.etc = etc;
        }

        void generate() throws IOException {
            write("passwd", "root:x:0:0:root:/root:/bin/sh\n", "rw-r--r--");
            write("group", "root:x:0:\n", "rw-r--r--");
            // "!" in the password field locks the account: no password matches it.
            write("shadow", "root:!::0:99999:7:::\n", "rw-------");
            write("gshadow", "root:!::\n", "rw-------");
            // A placeholder: each guest gets its own /etc/hostname and /etc/hosts bound over these.
            write("hostname", "localhost\n", "rw-r--r--");
            write("hosts", LOOPBACK_HOSTS, "rw-r--r--");
            for (String name : COPIED_ETC_FILES) {
                copyFile(hostEtc.resolve(name), etc.resolve(name));
            }
            copyDirectoryFiles("ld.so.conf.d");
            copyAlternatives();
            // os-release(5) asks for a relative link to /usr/lib/os-release, which is in the shared /usr.
            Files.createSymbolicLink(etc.resolve("os-release"), Path.of("../usr/lib/os-release"));
        }

        private void write(String name, String content, String mode) throws IOException {
            Path file = etc.resolve(name);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        }

        /** Copies the content of a regular file, following a symlink, if the host has it. */
        private static void copyFile(Path source, Path target) throws IOException {
            if (!Files.isRegularFile(source)) {
                return;
            }
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        }

        private void copyDirectoryFiles(String name) throws IOException {
            Path source = hostEtc.resolve(name);
            if (!Files.isDirectory(source)) {
                return;
            }
            Path target = Files.createDirectory(etc.resolve(name));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(source)) {
                for (Path entry : entries) {
                    copyFile(entry, target.resolve(entry.getFileName().toString()));
                }
            }
        }

        /** Copies the links of /etc/alternatives as links, which point into the /usr that guests share. */
        private void copyAlternatives() throws IOException {
            Path source = hostEtc.resolve("alternatives");
            if (!Files.isDirectory(source)) {
                return;
            }
            Path target = Files.createDirectory(etc.resolve("alternatives"));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(source)) {
                for (Path entry : entries) {
                    if (Files.isSymbolicLink(entry)) {
                        Files.createSymbolicLink(target.resolve(entry.getFileName().toString()),
                                Files.readSymbolicLink(entry));
                    }
                }
            }
        }
    }

    /** The loopback entries of an /etc/hosts, in the form Debian uses. */
    static final String LOOPBACK_HOSTS = "127.0.0.1\tlocalhost\n"
            + "::1\tlocalhost ip6-localhost ip6-loopback\n"
            + "ff02::1\tip6-allnodes\n"
            + "ff02::2\tip6-allrouters\n";

    /** Returns an /etc/hosts with the loopback entries and {@code hostname} on 127.0.1.1, as Debian maps its host name. */
    static String hostsFile(String hostname) {
        return LOOPBACK_HOSTS + "127.0.1.1\t" + hostname + "\n";
    }
}
