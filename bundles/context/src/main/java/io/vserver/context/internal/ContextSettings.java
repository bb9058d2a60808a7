package io.vserver.context.internal;

import java.util.List;
import java.util.regex.Pattern;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;

/**
 * The context keys of one guest, parsed and checked.
 *
 * @param hostname the UTS host name, the guest's name when {@code hostname} is unset
 * @param style the {@code init.style}, {@link InitStyle#PLAIN} when unset
 * @param init the init argv, the style's default when {@code init} is unset
 */
record ContextSettings(String hostname, InitStyle style, List<String> init) {

    static final String HOSTNAME = "hostname";
    static final String INIT = "init";
    static final String INIT_STYLE = "init.style";

    /** The maximum length of a host name on Linux ({@code HOST_NAME_MAX}, the UTS field size minus 1). */
    static final int MAX_HOSTNAME_LENGTH = 64;

    static final String HOSTNAME_FORM = "a host name of 1 to " + MAX_HOSTNAME_LENGTH + " characters: labels of "
            + "letters, digits and '-' separated by '.', each label 1 to 63 characters, starting and ending with a "
            + "letter or digit";

    static final String INIT_FORM = "the program and its arguments separated by spaces, such as /sbin/init or "
            + "/usr/sbin/sshd -D";

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    /**
     * Parses the element's keys of {@code spec}.
     *
     * @throws InvalidConfigurationException naming the key, the value and the accepted form of
     *     the first invalid value, or {@code init} when the style needs it and it is missing
     */
    static ContextSettings of(GuestSpec spec) throws InvalidConfigurationException {
        String source = spec.label();
        String hostname = spec.get(HOSTNAME, spec.name());
        if (!isValidHostname(hostname)) {
            throw InvalidConfigurationException.invalidValue(source, HOSTNAME, hostname, HOSTNAME_FORM);
        }

        InitStyle style = InitStyle.PLAIN;
        String styleValue = spec.get(INIT_STYLE).orElse(null);
        if (styleValue != null) {
            style = InitStyle.find(styleValue).orElseThrow(() -> InvalidConfigurationException.invalidValue(source,
                    INIT_STYLE, styleValue, InitStyle.acceptedValues()));
        }

        List<String> init = style.defaultInit();
        String initValue = spec.get(INIT).orElse(null);
        if (initValue != null) {
            init = splitArguments(initValue);
            if (init.isEmpty()) {
                throw InvalidConfigurationException.invalidValue(source, INIT, initValue, INIT_FORM);
            }
        } else if (init.isEmpty()) {
            throw InvalidConfigurationException.missingKey(source, INIT, INIT_FORM + " (init.style "
                    + style.key() + " has no default init, so the key is required)");
        }
        return new ContextSettings(hostname, style, init);
    }

    /** Returns true when {@code name} follows {@link #HOSTNAME_FORM}. */
    static boolean isValidHostname(String name) {
        if (name.isEmpty() || name.length() > MAX_HOSTNAME_LENGTH) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Splits {@code init} at runs of white space.
     *
     * <p>NOTE: quotes and backslashes have no special meaning, so an argument cannot contain a
     * space. Wrap such a command in a script inside the guest.
     */
    static List<String> splitArguments(String value) {
        String trimmed = value.trim();
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
    }
}
