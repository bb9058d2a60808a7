package io.vserver.host.internal;

import java.util.Locale;

import io.vserver.api.InvalidConfigurationException;

/** The {@code restart} key: what the host does when a guest's init ends without a stop request. */
enum RestartPolicy {
    /** Leave the guest stopped or failed. */
    NO,
    /** Start the guest again when its init failed (non-zero exit or killed by a signal). */
    ON_FAILURE,
    /** Start the guest again whenever its init ends. */
    ALWAYS;

    static final String ACCEPTED_FORM = "no, on-failure or always";

    /** Returns the key's value for this policy, such as {@code on-failure}. */
    String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses the value of the {@code restart} key; null means {@link #NO}. */
    static RestartPolicy parse(String source, String value) throws InvalidConfigurationException {
        if (value == null) {
            return NO;
        }
        for (RestartPolicy policy : values()) {
            if (policy.value().equals(value.trim())) {
                return policy;
            }
        }
        throw InvalidConfigurationException.invalidValue(source, GuestResolver.RESTART, value, ACCEPTED_FORM);
    }
}
