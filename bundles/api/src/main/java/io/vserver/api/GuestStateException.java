package io.vserver.api;

/**
 * The requested operation does not fit the guest's current state, for example starting a
 * guest that runs.
 */
public class GuestStateException extends VServerException {

    private static final long serialVersionUID = 1L;

    private final GuestState state;

    public GuestStateException(String message, GuestState state) {
        super(message);
        this.state = state;
    }

    /** Returns the guest's state when the operation was rejected. */
    public GuestState state() {
        return state;
    }
}
