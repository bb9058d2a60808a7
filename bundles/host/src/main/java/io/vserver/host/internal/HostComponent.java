package io.vserver.host.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.VServerHost;
import io.vserver.kmod.vcontext.VContextBinary;

/**
 * The host VM component: prepares the data and run directories and installs the vcontext
 * program on activation.
 */
@Component(service = VServerHost.class, configurationPid = "io.vserver.host",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HostConfiguration.class)
public class HostComponent implements VServerHost {

    private static final Logger LOG = LoggerFactory.getLogger(HostComponent.class);

    private final Path dataDirectory;
    private final Path runDirectory;
    private final Path vcontextProgram;
    private final Duration stopTimeout;

    @Activate
    public HostComponent(HostConfiguration configuration) throws IOException {
        if (configuration.stopTimeoutSeconds() < 0) {
            LOG.warn("io.vserver.host: stopTimeoutSeconds={} is negative; using 0 (kill at once)",
                    configuration.stopTimeoutSeconds());
        }
        this.dataDirectory = absolute("dataDirectory", configuration.dataDirectory());
        this.runDirectory = absolute("runDirectory", configuration.runDirectory());
        this.stopTimeout = Duration.ofSeconds(Math.max(0, configuration.stopTimeoutSeconds()));
        createPrivateDirectory(dataDirectory);
        createPrivateDirectory(runDirectory);
        this.vcontextProgram = VContextBinary.install(dataDirectory.resolve("bin"));
        LOG.info("VServer host started: data directory {}, run directory {}, vcontext {}",
                dataDirectory, runDirectory, vcontextProgram);
    }

    private static Path absolute(String key, String value) {
        Path path = Path.of(value);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("io.vserver.host: " + key + "=" + value
                    + " is not an absolute path: set it to a directory such as /var/lib/vserver");
        }
        return path.normalize();
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx--x--x"));
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public Path vcontextProgram() {
        return vcontextProgram;
    }

    @Override
    public Duration stopTimeout() {
        return stopTimeout;
    }
}
