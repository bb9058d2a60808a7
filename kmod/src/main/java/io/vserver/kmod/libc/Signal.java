package io.vserver.kmod.libc;

import java.util.Locale;

/**
 * A Linux signal: its number and its name as {@code kill -l} prints it.
 *
 * <p>Numbers 1 to 31 are the standard signals, which x86_64 and aarch64 number alike. Real-time
 * signals are named relative to {@link #SIGRTMIN} (34, as glibc defines it, because glibc's
 * threading reserves kernel signals 32 and 33) up to {@code SIGRTMIN+15}, and relative to
 * {@link #SIGRTMAX} (64) above that, so that systemd's halt signal reads {@code SIGRTMIN+3}.
 */
public final class Signal {

    private static final String[] STANDARD_NAMES = {
        null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
        "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    private static final int RTMIN_NUMBER = 34;
    private static final int RTMAX_NUMBER = 64;
    private static final int LAST_RTMIN_OFFSET = 15;

    public static final Signal SIGHUP = new Signal(1);
    public static final Signal SIGINT = new Signal(2);
    public static final Signal SIGQUIT = new Signal(3);
    public static final Signal SIGABRT = new Signal(6);
    public static final Signal SIGKILL = new Signal(9);
    public static final Signal SIGUSR1 = new Signal(10);
    public static final Signal SIGUSR2 = new Signal(12);
    public static final Signal SIGPIPE = new Signal(13);
    public static final Signal SIGALRM = new Signal(14);
    public static final Signal SIGTERM = new Signal(15);
    public static final Signal SIGCHLD = new Signal(17);
    public static final Signal SIGCONT = new Signal(18);
    public static final Signal SIGSTOP = new Signal(19);
    public static final Signal SIGWINCH = new Signal(28);
    public static final Signal SIGPWR = new Signal(30);
    public static final Signal SIGRTMIN = new Signal(RTMIN_NUMBER);
    public static final Signal SIGRTMAX = new Signal(RTMAX_NUMBER);

    /** {@code SIGRTMIN+3}: systemd halts the machine when it receives it as PID 1. */
    public static final Signal SYSTEMD_HALT = new Signal(RTMIN_NUMBER + 3);
    /** {@code SIGRTMIN+4}: systemd powers the machine off. */
    public static final Signal SYSTEMD_POWEROFF = new Signal(RTMIN_NUMBER + 4);
    /** {@code SIGRTMIN+5}: systemd reboots the machine. */
    public static final Signal SYSTEMD_REBOOT = new Signal(RTMIN_NUMBER + 5);

    private final int number;

    private Signal(int number) {
        this.number = number;
    }

    /**
     * Returns the signal with a number.
     *
     * @throws IllegalArgumentException if the number is outside 1..64
     */
    public static Signal of(int number) {
        if (number < 1 || number > RTMAX_NUMBER) {
            throw new IllegalArgumentException("Invalid signal number " + number
                    + ": Linux signals are numbered 1 to " + RTMAX_NUMBER);
        }
        return new Signal(number);
    }

    /**
     * Parses a signal given by name, with or without the {@code SIG} prefix and in any case
     * ({@code SIGTERM}, {@code term}), as a real-time offset ({@code SIGRTMIN+3},
     * {@code RTMAX-1}) or by number ({@code 15}, {@code SIG32}).
     *
     * @throws IllegalArgumentException naming the text when it matches none of these forms
     */
    public static Signal parse(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            return parseNumber(text, name);
        }
        for (int number = 1; number < STANDARD_NAMES.length; number++) {
            if (STANDARD_NAMES[number].equals(name)) {
                return new Signal(number);
            }
        }
        if (name.equals("POLL")) {
            return new Signal(29);
        }
        if (name.startsWith("RTMIN") || name.startsWith("RTMAX")) {
            return parseRealTime(text, name);
        }
        throw invalid(text);
    }

    private static Signal parseNumber(String text, String digits) {
        try {
            return of(Integer.parseInt(digits));
        } catch (IllegalArgumentException e) {
            throw invalid(text);
        }
    }

    private static Signal parseRealTime(String text, String name) {
        boolean fromMin = name.startsWith("RTMIN");
        String rest = name.substring(5);
        int offset = 0;
        if (!rest.isEmpty()) {
            char sign = rest.charAt(0);
            String digits = rest.substring(1);
            if (sign != (fromMin ? '+' : '-') || digits.isEmpty()
                    || !digits.chars().allMatch(Character::isDigit) || digits.length() > 2) {
                throw invalid(text);
            }
            offset = Integer.parseInt(digits);
        }
        int number = fromMin ? RTMIN_NUMBER + offset : RTMAX_NUMBER - offset;
        if (number < RTMIN_NUMBER || number > RTMAX_NUMBER) {
            throw invalid(text);
        }
        return new Signal(number);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("Invalid signal \"" + text + "\": expected a name "
                + "such as SIGTERM or TERM, a real-time signal such as SIGRTMIN+3 or RTMAX-1, "
                + "or a number from 1 to " + RTMAX_NUMBER + "; see signal(7) for the list");
    }

    /** Returns the signal number. */
    public int number() {
        return number;
    }

    /**
     * Returns the name with the {@code SIG} prefix, such as {@code SIGTERM} or
     * {@code SIGRTMIN+3}.
     */
    public String name() {
        return "SIG" + shortName();
    }

    /** Returns the name without the {@code SIG} prefix, such as {@code TERM}. */
    public String shortName() {
        if (number < STANDARD_NAMES.length) {
            return STANDARD_NAMES[number];
        }
        if (number < RTMIN_NUMBER) {
            // 32 and 33 are real kernel signals that glibc keeps for its threading.
            return String.valueOf(number);
        }
        int fromMin = number - RTMIN_NUMBER;
        if (fromMin == 0) {
            return "RTMIN";
        }
        if (fromMin <= LAST_RTMIN_OFFSET) {
            return "RTMIN+" + fromMin;
        }
        int fromMax = RTMAX_NUMBER - number;
        return fromMax == 0 ? "RTMAX" : "RTMAX-" + fromMax;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Signal && ((Signal) other).number == number;
    }

    @Override
    public int hashCode() {
        return number;
    }

    @Override
    public String toString() {
        return name();
    }
}
