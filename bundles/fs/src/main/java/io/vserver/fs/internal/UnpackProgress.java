package io.vserver.fs.internal;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs how far the unpacking of a large archive got, at every tenth of its size, so that
 * an operator waiting for a guest's first start sees that it progresses.
 */
class UnpackProgress {

    /** Archives smaller than this unpack in a few seconds and get no progress lines. */
    static final long REPORTED_SIZE = 64L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(UnpackProgress.class);

    private final Path archive;
    private int reportedTenths;

    UnpackProgress(Path archive) {
        this.archive = archive;
    }

    /** Records that {@code done} of {@code total} bytes of the archive were read. */
    void update(long done, long total) {
        if (total < REPORTED_SIZE) {
            return;
        }
        int tenths = (int) (done * 10 / total);
        if (tenths > reportedTenths) {
            reportedTenths = tenths;
            LOG.info("Unpacking {}: {} % ({} of {} MiB)", archive, tenths * 10, done >> 20, total >> 20);
        }
    }
}
