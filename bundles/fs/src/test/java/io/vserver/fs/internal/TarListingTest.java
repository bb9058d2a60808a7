package io.vserver.fs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

public class TarListingTest {

    private static final Path ARCHIVE = Path.of("/srv/root.tar");

    private static TarListing listing(String... verboseLines) throws IOException {
        List<String> names = new java.util.ArrayList<>();
        for (String line : verboseLines) {
            String rest = line.replaceFirst("^.*?\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} ", "");
            names.add(rest.replaceFirst(" (->|link to) .*$", ""));
        }
        return TarListing.parse(names, List.of(verboseLines));
    }

    @Test
    public void parsesEntryTypes() throws IOException {
        TarListing listing = listing(
                "drwxr-xr-x 0/0               0 2024-01-01 00:00 ./",
                "-rw-r--r-- 0/0              12 2024-01-01 00:00 ./etc/my file",
                "lrwxrwxrwx 0/0               0 2024-01-01 00:00 ./bin -> usr/bin",
                "hrw-r--r-- 0/0               0 2024-01-01 00:00 ./etc/copy link to ./etc/my file",
                "crw-rw-rw- 0/0             1,3 2024-01-01 00:00 ./dev/null");
        assertEquals(5, listing.size());
        assertEquals(new TarListing.Entry("./bin", 'l', "usr/bin"), listing.entries().get(2));
        assertEquals(new TarListing.Entry("./etc/copy", 'h', "./etc/my file"), listing.entries().get(3));
        assertEquals(List.of("./dev/null"), listing.skippedNames());
        listing.check(ARCHIVE);
    }

    @Test
    public void rejectsHardLinkOutOfArchive() throws IOException {
        TarListing listing = listing("hrw-r--r-- 0/0 0 2024-01-01 00:00 ./etc/shadow link to ../../etc/shadow");
        IOException e = assertThrows(IOException.class, () -> listing.check(ARCHIVE));
        assertTrue(e.getMessage(), e.getMessage().contains("'..' component"));
    }

    @Test
    public void rejectsSymlinkReplacedByDirectory() throws IOException {
        TarListing listing = listing(
                "lrwxrwxrwx 0/0 0 2024-01-01 00:00 ./lib -> /",
                "drwxr-xr-x 0/0 0 2024-01-01 00:00 ./lib/");
        IOException e = assertThrows(IOException.class, () -> listing.check(ARCHIVE));
        assertTrue(e.getMessage(), e.getMessage().contains("both a symlink and another entry"));
    }

    @Test
    public void rejectsMismatchedListings() {
        assertThrows(IOException.class, () -> TarListing.parse(List.of("a", "b"), List.of("-rw-r--r-- 0/0 1 "
                + "2024-01-01 00:00 a")));
    }

    @Test
    public void normalizesNames() {
        assertEquals("etc/passwd", TarListing.normalize("./etc//passwd"));
        assertEquals("", TarListing.normalize("./"));
        assertEquals("usr/bin", TarListing.normalize("usr/./bin/"));
    }
}
