package io.vserver.fs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;
import io.vserver.api.VServerException;
import io.vserver.api.VServerHost;

/**
 * The fs element: the guest's root file system, an overlay of a read-only image and a private
 * upper layer per guest. Every guest needs it, because every guest needs a root.
 *
 * <p>Key {@code image}: {@code host} (default, see {@link HostImage}), {@code dir:PATH} (a
 * directory, resolved through symlinks) or {@code tar:PATH} (see {@link TarImage}). Images live
 * in {@code DATA/images}, the upper and work directories in {@code DATA/guests/NAME/upper} and
 * {@code work}, and the mount point in {@code RUN/guests/NAME/rootfs}.
 */
@Component(service = IsolationElement.class, property = IsolationElement.SERVICE_PROPERTY_NAME + "=fs")
public class FsElement implements IsolationElement {

    private static final Logger LOG = LoggerFactory.getLogger(FsElement.class);

    private static final Set<String> KEYS = Set.of(ImageSource.KEY);

    /** The context element's key whose value the host image writes into /etc/hostname and /etc/hosts. */
    private static final String HOSTNAME_KEY = "hostname";

    private final HostImage hostImage;
    private final TarImage tarImage;

    @Activate
    public FsElement(@Reference(name = "host") VServerHost host) {
        this(Path.of("/"), host.dataDirectory().resolve("images"), new TarProgram("tar"));
    }

    FsElement(Path hostRoot, Path imagesDirectory, TarProgram tar) {
        this.hostImage = new HostImage(hostRoot, imagesDirectory);
        this.tarImage = new TarImage(imagesDirectory, tar);
    }

    @Override
    public String name() {
        return "fs";
    }

    @Override
    public String feature() {
        return "vserver-fs";
    }

    @Override
    public Set<String> ownedKeys() {
        return KEYS;
    }

    @Override
    public boolean isRequiredBy(GuestSpec spec) {
        return true;
    }

    /** Checks the form of {@code image} and that a {@code dir:} or {@code tar:} path exists. */
    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        ImageSource source = ImageSource.of(spec);
        if (source.kind() == ImageSource.Kind.DIR && !Files.isDirectory(source.path())) {
            throw notFound(spec, source, "an existing directory");
        }
        if (source.kind() == ImageSource.Kind.TAR && !Files.isRegularFile(source.path())) {
            throw notFound(spec, source, "an existing archive file");
        }
    }

    private static InvalidConfigurationException notFound(GuestSpec spec, ImageSource source, String what) {
        return InvalidConfigurationException.invalidValue(spec.label(), ImageSource.KEY, spec.get(ImageSource.KEY, ""),
                ImageSource.ACCEPTED_FORM + ", where PATH is " + what + " (" + source.path() + " is not)");
    }

    /**
     * Resolves or builds the image, creates the guest's upper, work and mount point
     * directories, and sets the plan's root, lower, upper and work directories and, for the
     * host image, its binds.
     */
    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException {
        validate(spec);
        ImageSource source = ImageSource.of(spec);
        Path lower = lowerDirectory(spec, source);
        GuestLayers layers = GuestLayers.of(record);
        try {
            layers.create();
        } catch (IOException e) {
            throw new VServerException(spec.label() + ": failed to create the overlay directories under "
                    + record.dataDirectory() + " and " + record.runDirectory() + ": " + e.getMessage(), e);
        }
        checkSeparate(spec, source, lower, layers);
        plan.root(layers.root());
        plan.addLowerDirectory(lower);
        plan.overlayUpper(layers.upper(), layers.work());
        if (source.kind() == ImageSource.Kind.HOST) {
            hostImage.binds().forEach(plan::addBind);
            addHostFiles(spec, record, plan);
        }
    }

    /** Returns the image's directory with every symlink resolved, building the image first if needed. */
    private Path lowerDirectory(GuestSpec spec, ImageSource source) throws VServerException {
        try {
            Path directory = switch (source.kind()) {
                case HOST -> hostImage.ensure();
                case DIR -> source.path();
                case TAR -> tarImage.ensure(source.path());
            };
            return directory.toRealPath();
        } catch (IOException e) {
            throw new VServerException(spec.label() + ": failed to prepare image " + source + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Rejects an image directory that contains one of the guest's directories or lies inside
     * one, because overlayfs then fails at mount time or later with ELOOP.
     */
    private static void checkSeparate(GuestSpec spec, ImageSource source, Path lower, GuestLayers layers)
            throws VServerException {
        for (Path own : layers.all()) {
            Path realOwn;
            try {
                realOwn = own.toRealPath();
            } catch (IOException e) {
                throw new VServerException(spec.label() + ": failed to resolve " + own + ": " + e.getMessage(), e);
            }
            if (realOwn.startsWith(lower) || lower.startsWith(realOwn)) {
                throw new VServerException(spec.label() + ": image " + source + " overlaps the guest's directory "
                        + own + ", which overlayfs does not allow: use an image directory outside the data "
                        + "and run directories");
            }
        }
    }

    /**
     * Writes the guest's /etc/hostname and /etc/hosts into its run directory and binds them
     * read-only over the host image's placeholders, so they follow the {@code hostname} key.
     */
    private static void addHostFiles(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException {
        String hostname = spec.get(HOSTNAME_KEY, spec.name());
        Path directory = record.runDirectory().resolve("etc");
        Path hostnameFile = directory.resolve("hostname");
        Path hostsFile = directory.resolve("hosts");
        try {
            Files.createDirectories(directory);
            writeReadable(hostnameFile, hostname + "\n");
            writeReadable(hostsFile, HostImage.hostsFile(hostname));
        } catch (IOException e) {
            throw new VServerException(spec.label() + ": failed to write " + hostnameFile + " and " + hostsFile
                    + ": " + e.getMessage(), e);
        }
        plan.addBind(new LaunchPlan.Bind(hostnameFile, "/etc/hostname", true));
        plan.addBind(new LaunchPlan.Bind(hostsFile, "/etc/hosts", true));
    }

    private static void writeReadable(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /**
     * Removes the guest's mount point if it is empty. The upper and work directories stay
     * until the guest is destroyed, see {@link #deleteGuestLayers(GuestRecord)}.
     */
    @Override
    public void release(GuestRecord record) throws VServerException {
        Path root = GuestLayers.of(record).root();
        try {
            if (!FileTrees.deleteIfEmpty(root) && Files.exists(root)) {
                LOG.warn("Kept the mount point {} of guest {} (xid {}) because it is not empty", root, record.name(),
                        record.xid());
            }
        } catch (IOException e) {
            throw new VServerException("guest " + record.name() + " (xid " + record.xid()
                    + "): failed to remove the mount point " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the guest's upper and work directories, everything the guest wrote to its root.
     * For the host to call when it destroys a guest, never on a running guest.
     */
    public static void deleteGuestLayers(GuestRecord record) throws VServerException {
        GuestLayers layers = GuestLayers.of(record);
        try {
            FileTrees.deleteIfExists(layers.upper());
            FileTrees.deleteIfExists(layers.work());
        } catch (IOException e) {
            throw new VServerException("guest " + record.name() + " (xid " + record.xid()
                    + "): failed to delete the overlay directories " + layers.upper() + " and " + layers.work()
                    + ": " + e.getMessage(), e);
        }
    }
}
