package io.vserver.api;

/**
 * A guest needs an isolation element that is not deployed.
 */
public class MissingElementException extends VServerException {

    private static final long serialVersionUID = 1L;

    private final String element;
    private final String feature;

    public MissingElementException(String guestLabel, String element, String feature) {
        super(guestLabel + " needs the " + element + " element, which is not deployed: run feature:install "
                + feature);
        this.element = element;
        this.feature = feature;
    }

    public String element() {
        return element;
    }

    /** Returns the Karaf feature that deploys the element. */
    public String feature() {
        return feature;
    }
}
