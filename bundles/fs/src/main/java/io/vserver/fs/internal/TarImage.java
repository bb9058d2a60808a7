package io.vserver.fs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images from root file system archives ({@code image=tar:PATH}): each archive is checked and
 * unpacked once into {@code DATA/images/tar-HASH}, where HASH is the SHA-256 of the archive's
 * real path, size and modification time, so a changed archive gets a new directory.
 *
 * <p>Unpacking uses GNU tar, which reads uncompressed, gzip and xz archives. Before anything
 * is written, the listing is checked by {@link TarListing}: absolute names, {@code ..}
 * components, entries below a symlink of the archive and hard links out of it are rejected,
 * because any of them could make tar write outside the image. Device nodes are skipped. Owners
 * and modes are kept by number, because guests run as root and need root-owned files.
 */
final class TarImage {

    private static final Logger LOG = LoggerFactory.getLogger(TarImage.class);

    /** Prefix of the unpacked images' directory names in the image store. */
    static final String PREFIX = "tar-";

    private final Path imagesDirectory;
    private final TarProgram tar;

    TarImage(Path imagesDirectory, TarProgram tar) {
        this.imagesDirectory = imagesDirectory;
        this.tar = tar;
    }

    /**
     * Returns the unpacked directory of {@code archive}, unpacking it first if needed.
     *
     * @throws IOException if the archive is missing, unreadable or rejected, or tar fails
     */
    synchronized Path ensure(Path archive) throws IOException {
        Path realArchive = archive.toRealPath();
        if (!Files.isRegularFile(realArchive)) {
            throw new IOException("archive " + archive + " is not a regular file");
        }
        Path directory = imagesDirectory.resolve(PREFIX + key(realArchive));
        if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            return directory;
        }

        TarListing listing = TarListing.parse(tar.list(realArchive, false), tar.list(realArchive, true));
        listing.check(realArchive);

        Files.createDirectories(imagesDirectory);
        Path staging = Files.createTempDirectory(imagesDirectory, "." + PREFIX);
        try {
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            tar.extract(realArchive, staging, listing.skippedNames(), new UnpackProgress(realArchive));
            Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Unpacked {} into {} ({} entries, {} device nodes skipped)", realArchive, directory,
                    listing.size(), listing.skippedNames().size());
        } catch (FileAlreadyExistsException e) {
            LOG.debug("Image {} appeared while unpacking {}, keeping the existing one", directory, realArchive);
        } finally {
            FileTrees.deleteIfExists(staging);
        }
        return directory;
    }

    /** Returns the hex SHA-256 of the archive's real path, size and modification time. */
    static String key(Path realArchive) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(realArchive, BasicFileAttributes.class);
        String identity = realArchive + "\0" + attributes.size() + "\0" + attributes.lastModifiedTime().toMillis();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(identity.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
