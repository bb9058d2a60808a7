package io.vserver.fs.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;

/**
 * The value of the {@code image} key: where the read-only lower layer of a guest's root comes from.
 *
 * @param kind the form of the value
 * @param path the directory or archive, null for {@link Kind#HOST}
 */
record ImageSource(Kind kind, Path path) {

    static final String KEY = "image";

    static final String ACCEPTED_FORM = "host, dir:PATH (an existing directory) or tar:PATH (an archive ending "
            + "in .tar, .tar.gz, .tgz, .tar.xz or .txz), with PATH absolute";

    /** Endings of the archives {@code tar:PATH} accepts: uncompressed, gzip and xz. */
    static final List<String> ARCHIVE_ENDINGS = List.of(".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz");

    /** The forms of the {@code image} value. */
    enum Kind {
        /** The built-in image: the host's own OS shared read-only, with a generated /etc. */
        HOST,
        /** A directory tree on the host. */
        DIR,
        /** A tar archive of a root file system, unpacked once into the image store. */
        TAR
    }

    /** The built-in default image. */
    static final ImageSource HOST = new ImageSource(Kind.HOST, null);

    /**
     * Parses the {@code image} value of {@code spec}, {@link #HOST} when it is unset. Checks
     * only the form of the value, not whether the path exists.
     *
     * @throws InvalidConfigurationException naming the key, the value and {@link #ACCEPTED_FORM}
     */
    static ImageSource of(GuestSpec spec) throws InvalidConfigurationException {
        String value = spec.get(KEY).orElse(null);
        if (value == null || value.equals("host")) {
            return HOST;
        }
        Kind kind;
        String pathText;
        if (value.startsWith("dir:")) {
            kind = Kind.DIR;
            pathText = value.substring("dir:".length());
        } else if (value.startsWith("tar:")) {
            kind = Kind.TAR;
            pathText = value.substring("tar:".length());
        } else {
            throw invalid(spec, value);
        }
        if (!pathText.startsWith("/") || pathText.indexOf('\0') >= 0) {
            throw invalid(spec, value);
        }
        if (kind == Kind.TAR && ARCHIVE_ENDINGS.stream().noneMatch(pathText::endsWith)) {
            throw invalid(spec, value);
        }
        return new ImageSource(kind, Path.of(pathText).normalize());
    }

    static InvalidConfigurationException invalid(GuestSpec spec, String value) {
        return InvalidConfigurationException.invalidValue(spec.label(), KEY, value, ACCEPTED_FORM);
    }

    /** Returns the value as the {@code image} key writes it, such as {@code dir:/srv/rootfs}. */
    @Override
    public String toString() {
        return kind == Kind.HOST ? "host" : kind.name().toLowerCase(Locale.ROOT) + ":" + path;
    }
}
