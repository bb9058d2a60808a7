package io.vserver.api;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The host VM: context 0, which holds the guest definitions and runs the guests.
 * Registered as a service by the host bundle once its directories and the vcontext
 * program are in place.
 */
public interface VServerHost {

    /** Returns the directory of persistent guest state (overlay uppers, image store). */
    Path dataDirectory();

    /** Returns the directory of runtime state (monitor records, console logs), cleared at boot. */
    Path runDirectory();

    /** Returns the installed vcontext program the host launches and enters guests with. */
    Path vcontextProgram();

    /** Returns how long a stop waits for a guest's init to exit before it kills the guest. */
    Duration stopTimeout();
}
