package io.vserver.api;

/**
 * A configuration key is unknown or its value is invalid. Carries the key, the rejected
 * value and the accepted form, so that the message shows the operator how to fix it.
 */
public class InvalidConfigurationException extends VServerException {

    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;
    private final String acceptedForm;
    private final boolean missing;

    private InvalidConfigurationException(String message, String key, String value, String acceptedForm,
            boolean missing) {
        super(message);
        this.key = key;
        this.value = value;
        this.acceptedForm = acceptedForm;
        this.missing = missing;
    }

    /**
     * Creates the exception for a bad value, with a message such as
     * {@code guest web1: invalid value 'lots' for key 'limits.memory': expected a size such as 512M}.
     *
     * @param source where the value came from, for example {@code guest web1}
     */
    public static InvalidConfigurationException invalidValue(String source, String key, String value,
            String acceptedForm) {
        return new InvalidConfigurationException(source + ": invalid value '" + value + "' for key '" + key
                + "': expected " + acceptedForm, key, value, acceptedForm, false);
    }

    /**
     * Creates the exception for a key that no deployed element or the host owns.
     *
     * @param acceptedForm what is accepted instead, for example the list of known key prefixes
     */
    public static InvalidConfigurationException unknownKey(String source, String key, String acceptedForm) {
        return new InvalidConfigurationException(source + ": unknown key '" + key + "': accepted keys are "
                + acceptedForm, key, null, acceptedForm, false);
    }

    /**
     * Creates the exception for a required key that is not set, with a message such as
     * {@code guest web1: missing key 'init': expected the program and its arguments}.
     */
    public static InvalidConfigurationException missingKey(String source, String key, String acceptedForm) {
        return new InvalidConfigurationException(source + ": missing key '" + key + "': expected " + acceptedForm,
                key, null, acceptedForm, true);
    }

    /** Returns the rejected key. */
    public String key() {
        return key;
    }

    /** Returns the rejected value, or null when the key itself is unknown or missing. */
    public String value() {
        return value;
    }

    /** Returns true when the exception reports a missing key rather than a bad key or value. */
    public boolean isMissingKey() {
        return missing;
    }

    /** Returns the accepted form, for example {@code an integer from 2 to 49151}. */
    public String acceptedForm() {
        return acceptedForm;
    }
}
