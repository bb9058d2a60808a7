package io.vserver.kmod.proc;

import io.vserver.kmod.caps.CapabilitySet;

import java.util.HashMap;
import java.util.Map;

/**
 * The security fields of {@code /proc/PID/status} (see proc(5)).
 *
 * @param capInh     the inheritable capability set ({@code CapInh})
 * @param capPrm     the permitted set ({@code CapPrm})
 * @param capEff     the effective set ({@code CapEff})
 * @param capBnd     the bounding set ({@code CapBnd})
 * @param capAmb     the ambient set ({@code CapAmb})
 * @param noNewPrivs whether {@code PR_SET_NO_NEW_PRIVS} is set ({@code NoNewPrivs})
 * @param seccomp    the seccomp mode: 0 off, 1 strict, 2 filter ({@code Seccomp})
 */
public record ProcStatus(CapabilitySet capInh, CapabilitySet capPrm, CapabilitySet capEff,
        CapabilitySet capBnd, CapabilitySet capAmb, boolean noNewPrivs, int seccomp) {

    /**
     * Parses the content of a {@code /proc/PID/status} file.
     *
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the source and field when one is missing or
     *                                  malformed
     */
    public static ProcStatus parse(String text, String source) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return new ProcStatus(
                capabilities(fields, "CapInh", source),
                capabilities(fields, "CapPrm", source),
                capabilities(fields, "CapEff", source),
                capabilities(fields, "CapBnd", source),
                capabilities(fields, "CapAmb", source),
                number(fields, "NoNewPrivs", source) != 0,
                number(fields, "Seccomp", source));
    }

    private static CapabilitySet capabilities(Map<String, String> fields, String name,
            String source) {
        String value = required(fields, name, source);
        try {
            return CapabilitySet.ofMask(Long.parseUnsignedLong(value, 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + name + " \"" + value + "\" in "
                    + source + ": expected a hexadecimal mask", e);
        }
    }

    private static int number(Map<String, String> fields, String name, String source) {
        String value = required(fields, name, source);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + name + " \"" + value + "\" in "
                    + source + ": expected a decimal number", e);
        }
    }

    private static String required(Map<String, String> fields, String name, String source) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("Missing field " + name + " in " + source);
        }
        return value;
    }
}
