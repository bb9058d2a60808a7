package io.vserver.api;

import java.util.Objects;

/**
 * Why a guest is {@link GuestState#FAILED} or could not start: a stable code that tests
 * and tools can match, and a message for operators.
 *
 * @param code stable reason code, for example {@code MISSING_ELEMENT}
 * @param message one sentence for operators: what failed, on which object, and what to do
 */
public record FailureReason(Code code, String message) {

    /** Reason codes. */
    public enum Code {
        /** The configuration has an unknown key or a bad value. */
        INVALID_CONFIGURATION,
        /** An element the guest needs is not deployed. */
        MISSING_ELEMENT,
        /** An element failed to prepare or attach. */
        ELEMENT_FAILED,
        /** vcontext reported a failed step while creating the guest. */
        LAUNCH_FAILED,
        /** The guest's init exited with a non-zero status or was killed by a signal. */
        INIT_FAILED
    }

    public FailureReason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
