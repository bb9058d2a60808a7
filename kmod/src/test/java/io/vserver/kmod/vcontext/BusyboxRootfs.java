package io.vserver.kmod.vcontext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.Assert.fail;

/**
 * A minimal guest root built from the host's statically linked busybox (Debian package
 * busybox-static): {@code bin/busybox}, a link per applet the tests use, and empty directories
 * for the kernel file systems.
 */
final class BusyboxRootfs {

    static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    static final List<String> APPLETS = List.of("sh", "ps", "cat", "hostname", "ls", "mount",
            "sleep", "mknod", "echo", "grep", "readlink", "true", "false", "id", "kill");

    static final List<String> DIRECTORIES = List.of("proc", "sys", "dev", "tmp", "etc");

    private BusyboxRootfs() {
    }

    /** Builds the root in {@code root}, which is created, and returns it. */
    static Path build(Path root) throws IOException {
        if (!Files.isExecutable(HOST_BUSYBOX)) {
            fail(HOST_BUSYBOX + " is missing: install the Debian package busybox-static");
        }
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(HOST_BUSYBOX, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String directory : DIRECTORIES) {
            Files.createDirectories(root.resolve(directory));
        }
        return root;
    }
}
