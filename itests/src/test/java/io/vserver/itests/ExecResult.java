package io.vserver.itests;

/**
 * What a command run inside a guest printed and how it ended.
 *
 * @param exitCode the command's exit status
 * @param stdout what it wrote to standard output
 * @param stderr what it wrote to standard error
 */
record ExecResult(int exitCode, String stdout, String stderr) {

    /** Returns the result for assertion messages. */
    String describe() {
        return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
}
