package io.vserver.shell.internal;

import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;

import io.vserver.api.VServerException;

/**
 * Applies one guest operation to several guests. A failure does not stop the batch: every
 * guest is tried, then {@link #finish} reports all failures and throws one exception, so the
 * command's result is an error when any guest failed.
 */
final class BatchOperation {

    /** One guest operation, for example {@code name -> manager.start(name)}. */
    @FunctionalInterface
    interface GuestAction {
        void apply(String name) throws VServerException;
    }

    private final String verb;
    private final Map<String, Exception> failures = new LinkedHashMap<>();
    private int attempted;

    /**
     * @param verb the operation for messages, for example {@code start}
     */
    BatchOperation(String verb) {
        this.verb = verb;
    }

    /**
     * Applies {@code action} to each name once, in the order given, and records every
     * {@link VServerException} or runtime exception instead of throwing it.
     *
     * @throws CommandException before any guest is touched when a name starts with '-': Karaf
     *     reads options only before the first argument, so that name is a misplaced option
     */
    void run(List<String> names, GuestAction action) throws CommandException {
        for (String name : names) {
            if (name.startsWith("-")) {
                throw new CommandException("'" + name + "' is not a guest name: options go before the guest names, "
                        + "for example vserver:" + verb + " OPTIONS NAME...");
            }
        }
        for (String name : new LinkedHashSet<>(names)) {
            attempted++;
            try {
                action.apply(name);
            } catch (VServerException | RuntimeException e) {
                failures.put(name, e);
            }
        }
    }

    /** Returns the failed names with their exceptions, in the order they were tried. */
    Map<String, Exception> failures() {
        return failures;
    }

    /**
     * Returns normally when every guest succeeded. Otherwise prints one line per failed guest
     * to {@code err} (unless only one guest was tried, whose message goes into the exception
     * itself) and throws one exception that names the failed guests and carries each failure
     * as a suppressed exception.
     */
    void finish(PrintStream err) throws CommandException {
        if (failures.isEmpty()) {
            return;
        }
        if (attempted == 1) {
            Map.Entry<String, Exception> only = failures.entrySet().iterator().next();
            throw new CommandException("failed to " + verb + " " + only.getKey() + ": " + message(only.getValue()),
                    only.getValue());
        }
        for (Map.Entry<String, Exception> failure : failures.entrySet()) {
            err.println(failure.getKey() + ": " + message(failure.getValue()));
        }
        CommandException summary = new CommandException(summary(verb, attempted, failures.keySet()));
        failures.values().forEach(summary::addSuppressed);
        throw summary;
    }

    /**
     * Returns the summary of a batch with failures, for example
     * {@code failed to stop 2 of 3 guests: web1, db1}.
     */
    static String summary(String verb, int attempted, Collection<String> failed) {
        return "failed to " + verb + " " + failed.size() + " of " + attempted + (attempted == 1 ? " guest: " : " guests: ")
                + String.join(", ", failed);
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
