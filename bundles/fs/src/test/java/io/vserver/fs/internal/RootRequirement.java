package io.vserver.fs.internal;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Assume;

/** Skips a test that needs root when not running as root, except on CI, where it fails. */
final class RootRequirement {

    private RootRequirement() {
    }

    static void requireRoot(String reason) throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid == 0) {
            return;
        }
        String message = "needs root to " + reason + ", running as uid " + uid;
        if (System.getenv("CI") != null) {
            fail(message + " (CI is set, so root tests must not skip)");
        }
        Assume.assumeTrue(message, false);
    }
}
