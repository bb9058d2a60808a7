package io.vserver.host.internal;

import io.vserver.api.FailureReason;
import io.vserver.api.VServerException;

/** A failed start, with the reason the guest's status shows. */
final class BootFailure extends VServerException {

    private static final long serialVersionUID = 1L;

    private final transient FailureReason reason;

    BootFailure(FailureReason.Code code, String message, Throwable cause) {
        super(message, cause);
        this.reason = new FailureReason(code, message);
    }

    FailureReason reason() {
        return reason;
    }
}
