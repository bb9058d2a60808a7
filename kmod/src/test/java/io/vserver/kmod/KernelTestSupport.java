package io.vserver.kmod;

import io.vserver.kmod.libc.Syscalls;
import org.junit.Assume;

import static org.junit.Assert.fail;

/** Preconditions of tests that change kernel state. */
public final class KernelTestSupport {

    private KernelTestSupport() {
    }

    /**
     * Skips the calling test with a visible reason unless it runs as root, but fails it instead
     * when the environment variable CI is set, because CI runs as root and must not skip.
     */
    public static void assumeRoot() {
        if (Syscalls.isRoot()) {
            return;
        }
        String reason = "needs root (effective uid 0), runs as uid " + Syscalls.geteuid();
        if (System.getenv("CI") != null) {
            fail("CI is set, so this test must run, but it " + reason);
        }
        Assume.assumeTrue("Skipped: " + reason, false);
    }
}
