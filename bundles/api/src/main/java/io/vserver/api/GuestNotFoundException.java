package io.vserver.api;

/**
 * No guest of the given name is defined.
 */
public class GuestNotFoundException extends VServerException {

    private static final long serialVersionUID = 1L;

    public GuestNotFoundException(String name) {
        super("guest " + name + " not found: vserver:list shows the defined guests, vserver:create defines one");
    }
}
