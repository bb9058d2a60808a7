package io.vserver.api;

/**
 * Base of the checked exceptions of the VServer API. Every message is complete on its own: it names
 * the guest, the object and what to do.
 */
public class VServerException extends Exception {

    private static final long serialVersionUID = 1L;

    public VServerException(String message) {
        super(message);
    }

    public VServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
