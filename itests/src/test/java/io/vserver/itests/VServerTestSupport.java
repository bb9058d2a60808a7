package io.vserver.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.vmOption;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.security.Principal;
import java.security.PrivilegedExceptionAction;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;
import javax.security.auth.Subject;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Assume;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Boots the built appliance distribution in Pax Exam and runs Karaf shell commands in it.
 *
 * <p>The host VM in the container keeps its data and run directories under this module's
 * {@code target/} folder, so tests never touch /var/lib/vserver or /run/vserver.
 */
public abstract class VServerTestSupport {

    /** Time allowed for a service or a shell command to appear after the container starts. */
    protected static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(30);

    /** Time allowed for one shell command to finish. */
    protected static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private static final String KARAF_VERSION = "4.4.10";

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    private final ExecutorService commandExecutor = Executors.newCachedThreadPool();

    @Configuration
    public Option[] config() {
        Path target = Path.of(System.getProperty("project.build.directory", "target")).toAbsolutePath();
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(maven().groupId("io.vserver").artifactId("vserver-distribution")
                                .type("tar.gz").versionAsInProject())
                        .name("VServer appliance")
                        .unpackDirectory(target.resolve("exam").toFile())
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevel.INFO),
                systemTimeout(120_000),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
                // Free ports in place of Karaf's fixed JMX ports 1099 and 44444, which another
                // appliance on the machine may hold.
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                        Integer.toString(freePort())),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                        Integer.toString(freePort())),
                // The appliance has no remote repositories; Pax Exam's own bundles come from
                // the build's local repository.
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository")),
                editConfigurationFilePut("etc/io.vserver.host.cfg", "dataDirectory",
                        target.resolve("vserver-data").toString()),
                editConfigurationFilePut("etc/io.vserver.host.cfg", "runDirectory",
                        target.resolve("vserver-run").toString()),
                // A parent of its own per container marks the cgroups as the tests' and keeps
                // them apart from a production host's "vserver" parent.
                editConfigurationFilePut("etc/io.vserver.host.cfg", "cgroupParent",
                        "vserver-test-" + Long.toHexString(new SecureRandom().nextLong() & 0xffffffffL))));
        options.addAll(java17Options());
        return options.toArray(new Option[0]);
    }

    /**
     * Returns the JVM flags that Karaf's bin/karaf passes on Java 9 and later; without them
     * the Karaf specs locator fails to start in the forked container.
     */
    private static List<Option> java17Options() {
        List<Option> options = new ArrayList<>();
        options.add(vmOption("--add-reads=java.xml=java.logging"));
        options.add(vmOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"));
        options.add(vmOption("--patch-module"));
        options.add(vmOption("java.base=lib/endorsed/org.apache.karaf.specs.locator-" + KARAF_VERSION + ".jar"));
        options.add(vmOption("--patch-module"));
        options.add(vmOption("java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + KARAF_VERSION + ".jar"));
        for (String open : List.of("java.base/java.security", "java.base/java.net", "java.base/java.lang",
                "java.base/java.util", "java.naming/javax.naming.spi", "java.rmi/sun.rmi.transport.tcp")) {
            options.add(vmOption("--add-opens"));
            options.add(vmOption(open + "=ALL-UNNAMED"));
        }
        for (String export : List.of("java.base/sun.net.www.protocol.file", "java.base/sun.net.www.protocol.ftp",
                "java.base/sun.net.www.protocol.http", "java.base/sun.net.www.protocol.https",
                "java.base/sun.net.www.protocol.jar", "java.base/sun.net.www.content.text",
                "jdk.xml.dom/org.w3c.dom.html", "jdk.naming.rmi/com.sun.jndi.url.rmi")) {
            options.add(vmOption("--add-exports=" + export + "=ALL-UNNAMED"));
        }
        options.add(vmOption("-classpath"));
        options.add(vmOption("lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"));
        return options;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free TCP port for Karaf's SSH console", e);
        }
    }

    /**
     * Skips the calling test when it does not run as root, and fails it instead when the
     * environment variable CI is set: on CI every privileged test must run.
     */
    protected static void assumeRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && System.getenv("CI") != null) {
            throw new AssertionError("this test needs root, and CI runs every test: run the build as root");
        }
        Assume.assumeTrue("this test needs root to create namespaces, mounts and cgroups", root);
    }

    /**
     * Waits until {@code condition} holds, checking it every 50 ms, and fails with
     * {@code description} when {@code timeout} passes first.
     */
    protected static void await(String description, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + description);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + description, e);
            }
        }
    }

    /** Returns a service of type {@code type}, waiting up to {@link #SERVICE_TIMEOUT} for it. */
    protected <T> T awaitService(Class<T> type) throws InterruptedException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bundleContext, type, null);
        tracker.open();
        T service = tracker.waitForService(SERVICE_TIMEOUT.toMillis());
        if (service == null) {
            throw new AssertionError("service " + type.getName() + " not registered after "
                    + SERVICE_TIMEOUT.toSeconds() + " s");
        }
        return service;
    }

    /** Waits until the shell command {@code scope:name} is registered. */
    protected void awaitCommand(String scope, String name) {
        await("shell command " + scope + ":" + name, SERVICE_TIMEOUT,
                () -> sessionFactory.getRegistry().getCommand(scope, name) != null);
    }

    /**
     * Runs {@code command} in a new shell session and returns what it printed. A command
     * that throws fails the test with the command and its output.
     */
    protected String executeCommand(String command) {
        return executeCommand(command, null);
    }

    /**
     * Runs {@code command} as a user with the {@code admin} and {@code manager} roles, which
     * Karaf's command ACLs require for commands such as {@code bundle:restart}.
     */
    protected String executeCommandAsAdmin(String command) {
        return executeCommand(command, adminSubject());
    }

    private String executeCommand(String command, Subject subject) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Callable<Object> execution = () -> {
            Session session = sessionFactory.create(System.in, out, out);
            try {
                return session.execute(command);
            } finally {
                session.close();
            }
        };
        Future<Object> result = commandExecutor.submit(subject == null ? execution
                : () -> Subject.doAs(subject, (PrivilegedExceptionAction<Object>) execution::call));
        try {
            result.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new AssertionError("command '" + command + "' timed out after " + COMMAND_TIMEOUT.toSeconds()
                    + " s; output so far:\n" + bytes.toString(StandardCharsets.UTF_8), e);
        } catch (ExecutionException e) {
            throw new AssertionError("command '" + command + "' failed: " + e.getCause() + "\noutput:\n"
                    + bytes.toString(StandardCharsets.UTF_8), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running '" + command + "'", e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Returns a subject with Karaf's {@code admin}, {@code manager} and {@code viewer} roles.
     * Karaf's ACL check matches the role class of its JAAS boot library, which the system
     * bundle exports from lib/boot.
     */
    private Subject adminSubject() {
        try {
            Class<?> role = bundleContext.getBundle(0).loadClass("org.apache.karaf.jaas.boot.principal.RolePrincipal");
            Subject subject = new Subject();
            // Karaf's bundle command ACL requires manager or admin, depending on the options.
            for (String name : new String[] {"admin", "manager", "viewer"}) {
                subject.getPrincipals().add((Principal) role.getConstructor(String.class).newInstance(name));
            }
            return subject;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("failed to create Karaf's admin role principal: " + e, e);
        }
    }
}
