package io.vserver.api;

import java.util.regex.Pattern;

/**
 * Rules for guest names. A name becomes a file name (etc/io.vserver.guest-NAME.cfg), a
 * directory under the data and run directories, a cgroup name and the default hostname,
 * so it is limited to what is safe in all four: a DNS label in lowercase.
 */
public final class GuestNames {

    /** Maximum length of a name, the maximum length of a DNS label. */
    public static final int MAX_LENGTH = 63;

    /** The accepted form, for messages. */
    public static final String ACCEPTED_FORM =
            "1 to 63 characters: lowercase letters a-z, digits and '-', starting and ending with a letter or digit";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    private GuestNames() {
    }

    /** Returns true when {@code name} follows {@link #ACCEPTED_FORM}. */
    public static boolean isValid(String name) {
        return name != null && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} when it is valid.
     *
     * @throws InvalidConfigurationException naming the value and the accepted form otherwise
     */
    public static String check(String name) throws InvalidConfigurationException {
        if (!isValid(name)) {
            throw InvalidConfigurationException.invalidValue("guest definition", "name", String.valueOf(name),
                    ACCEPTED_FORM);
        }
        return name;
    }
}
