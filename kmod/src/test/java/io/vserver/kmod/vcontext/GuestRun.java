package io.vserver.kmod.vcontext;

import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.fail;

/**
 * A guest that ran to its end: the launch, the exit record and the console text. Guest scripts
 * mark each part of their output with a line {@code == NAME}; {@link #section} returns a part.
 */
record GuestRun(Launch launch, ExitRecord exit, String console) {

    /** Returns the script that prints {@code == NAME} and then runs {@code command}. */
    static String section(String name, String command) {
        return "echo '== " + name + "'; " + command + "; ";
    }

    /** Returns the lines between the marker {@code == NAME} and the next marker. */
    List<String> section(String name) {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        boolean found = false;
        for (String line : console.split("\n")) {
            if (line.startsWith("== ")) {
                inside = line.equals("== " + name);
                found |= inside;
            } else if (inside) {
                lines.add(line);
            }
        }
        if (!found) {
            fail("The guest console has no section \"" + name + "\":\n" + console);
        }
        return lines;
    }
}
