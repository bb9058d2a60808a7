package io.vserver.kmod.vcontext;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Set;

/**
 * The vcontext program carried inside this bundle, and its installation on the host.
 *
 * <p>The host runs vcontext as root, so the installed copy and the directory that contains
 * it must not be writable by anyone but their owner: otherwise another user could replace
 * the program between two guest starts.
 */
public final class VContextBinary {

    /** Location of the program inside the kmod bundle (and on the test class path). */
    public static final String RESOURCE = "/native/vcontext";

    /** System property that points at an already built program, used by the build's tests. */
    public static final String PATH_PROPERTY = "vserver.vcontext.binary";

    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> PROGRAM_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private VContextBinary() {
    }

    /**
     * Installs the bundled program as {@code directory/vcontext} with mode 0755 and returns
     * its path. An identical file already there is kept, so a running guest's monitor is
     * never replaced needlessly; a different one is replaced atomically.
     *
     * @throws IOException if the bundle has no program for this machine, or the directory
     *     is writable by group or others, or the copy fails
     */
    public static Path install(Path directory) throws IOException {
        byte[] program = readBundledProgram();
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, DIRECTORY_MODE);
        checkNotShared(directory);

        Path target = directory.resolve("vcontext");
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                && Arrays.equals(sha256(Files.readAllBytes(target)), sha256(program))) {
            Files.setPosixFilePermissions(target, PROGRAM_MODE);
            return target;
        }
        Path temporary = Files.createTempFile(directory, ".vcontext-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            Files.write(temporary, program);
            Files.setPosixFilePermissions(temporary, PROGRAM_MODE);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return target;
    }

    /**
     * Returns the program to run: the path named by the system property
     * {@value #PATH_PROPERTY} when it is set, otherwise a copy installed in
     * {@code fallbackDirectory}.
     */
    public static Path locate(Path fallbackDirectory) throws IOException {
        String configured = System.getProperty(PATH_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IOException("vcontext program " + path + " named by system property "
                        + PATH_PROPERTY + " is missing or not executable: build kmod first (mvn -pl kmod install)");
            }
            return path;
        }
        return install(fallbackDirectory);
    }

    private static byte[] readBundledProgram() throws IOException {
        try (InputStream in = VContextBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("vcontext program " + RESOURCE + " is missing from bundle io.vserver.kmod: "
                        + "rebuild kmod on a machine with gcc (Debian package gcc)");
            }
            return in.readAllBytes();
        }
    }

    private static void checkNotShared(Path directory) throws IOException {
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory);
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("directory " + directory + " for the vcontext program is writable by group or others: "
                    + "make it writable by its owner only (chmod 755)");
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
