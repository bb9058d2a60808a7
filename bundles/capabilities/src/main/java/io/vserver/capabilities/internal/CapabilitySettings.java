package io.vserver.capabilities.internal;

import java.util.List;
import java.util.Locale;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;

/**
 * The capability keys of one guest, parsed and checked: the profile, the capabilities added
 * and dropped, {@code security.noNewPrivileges} and {@code security.seccomp}.
 *
 * @param profile the {@code capabilities.profile}, {@link CapabilityProfile#DEFAULT} when unset
 * @param added the capabilities of {@code capabilities.add}
 * @param dropped the capabilities of {@code capabilities.drop}
 * @param noNewPrivileges the {@code security.noNewPrivileges} flag, false when unset
 * @param seccomp the {@code security.seccomp} mode in lower case, {@link #SECCOMP_DEFAULT} when unset
 */
record CapabilitySettings(CapabilityProfile profile, CapabilitySet added, CapabilitySet dropped,
        boolean noNewPrivileges, String seccomp) {

    static final String PROFILE = "capabilities.profile";
    static final String ADD = "capabilities.add";
    static final String DROP = "capabilities.drop";
    static final String NO_NEW_PRIVILEGES = "security.noNewPrivileges";
    static final String SECCOMP = "security.seccomp";

    /** The seccomp mode with vcontext's default filter. */
    static final String SECCOMP_DEFAULT = "default";
    /** The seccomp mode without a filter, which the guest's status flags show. */
    static final String SECCOMP_UNCONFINED = "unconfined";

    /** Every key the element accepts. Other keys under its prefixes are unknown. */
    static final List<String> KEYS = List.of(PROFILE, ADD, DROP, NO_NEW_PRIVILEGES, SECCOMP);

    static final String LIST_FORM = "a comma-separated list of capability names as in capabilities(7), "
            + "e.g. net_admin";

    /**
     * Parses the element's keys of {@code spec}.
     *
     * @throws InvalidConfigurationException naming the key, the value and the accepted form of
     *     the first invalid value, or an unknown key under {@code capabilities.} or {@code security.}
     */
    static CapabilitySettings of(GuestSpec spec) throws InvalidConfigurationException {
        String source = spec.label();
        for (String key : spec.settings().keySet()) {
            boolean ownPrefix = key.startsWith("capabilities.") || key.startsWith("security.");
            if (ownPrefix && !KEYS.contains(key)) {
                throw InvalidConfigurationException.unknownKey(source, key, String.join(", ", KEYS));
            }
        }
        CapabilityProfile profile = CapabilityProfile.DEFAULT;
        String profileValue = spec.get(PROFILE).orElse(null);
        if (profileValue != null) {
            profile = CapabilityProfile.find(profileValue).orElseThrow(() -> InvalidConfigurationException
                    .invalidValue(source, PROFILE, profileValue, CapabilityProfile.acceptedValues()));
        }
        CapabilitySet added = parseList(source, ADD, spec.get(ADD, ""));
        CapabilitySet dropped = parseList(source, DROP, spec.get(DROP, ""));
        boolean noNewPrivileges = parseBoolean(source, NO_NEW_PRIVILEGES, spec.get(NO_NEW_PRIVILEGES, "false"));
        String seccomp = parseSeccomp(source, spec.get(SECCOMP, SECCOMP_DEFAULT));
        return new CapabilitySettings(profile, added, dropped, noNewPrivileges, seccomp);
    }

    private static String parseSeccomp(String source, String value) throws InvalidConfigurationException {
        String mode = value.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals(SECCOMP_DEFAULT) && !mode.equals(SECCOMP_UNCONFINED)) {
            throw InvalidConfigurationException.invalidValue(source, SECCOMP, value,
                    SECCOMP_DEFAULT + " or " + SECCOMP_UNCONFINED);
        }
        return mode;
    }

    /** Returns the guest's capabilities: the profile's, plus the added, minus the dropped ones. */
    CapabilitySet capabilities() {
        return profile.capabilities().union(added).minus(dropped);
    }

    private static CapabilitySet parseList(String source, String key, String value)
            throws InvalidConfigurationException {
        CapabilitySet capabilities = CapabilitySet.empty();
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                capabilities = capabilities.with(Capability.parse(entry));
            } catch (IllegalArgumentException e) {
                throw InvalidConfigurationException.invalidValue(source, key, value, LIST_FORM
                        + " ('" + entry.trim() + "' is not one)");
            }
        }
        return capabilities;
    }

    static boolean parseBoolean(String source, String key, String value) throws InvalidConfigurationException {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw InvalidConfigurationException.invalidValue(source, key, value, "true or false");
        }
    }
}
