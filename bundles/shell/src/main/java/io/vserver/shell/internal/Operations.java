package io.vserver.shell.internal;

import org.apache.karaf.shell.support.CommandException;

import io.vserver.api.VServerException;

/**
 * Turns a failed guest manager call into a {@link CommandException}. Karaf prints the message
 * of either exception on the console, but it logs other exceptions at ERROR with a stack trace,
 * while the host already logs the failures of the operations themselves.
 */
final class Operations {

    /** A guest manager call that returns a value. */
    interface Call<T> {
        T call() throws VServerException;
    }

    /** A guest manager call without a value. */
    interface Action {
        void run() throws VServerException;
    }

    private Operations() {
    }

    static <T> T value(Call<T> call) throws CommandException {
        try {
            return call.call();
        } catch (VServerException e) {
            throw new CommandException(e.getMessage(), e);
        }
    }

    static void run(Action action) throws CommandException {
        try {
            action.run();
        } catch (VServerException e) {
            throw new CommandException(e.getMessage(), e);
        }
    }
}
