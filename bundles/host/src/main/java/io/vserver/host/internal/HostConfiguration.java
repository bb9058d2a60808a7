package io.vserver.host.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the host VM, PID {@code io.vserver.host} (etc/io.vserver.host.cfg).
 */
@ObjectClassDefinition(name = "VServer host", description = "Directories and timeouts of the VServer host VM")
public @interface HostConfiguration {

    @AttributeDefinition(description = "Directory of persistent guest state: overlay upper directories, the image store")
    String dataDirectory() default "/var/lib/vserver";

    @AttributeDefinition(description = "Directory of runtime state: monitor records and console logs of running guests")
    String runDirectory() default "/run/vserver";

    @AttributeDefinition(description = "Seconds a stop waits for a guest's init to exit after the halt signal before it kills the guest")
    long stopTimeoutSeconds() default 30;

    @AttributeDefinition(description = "Parent cgroup of the guests' cgroups, relative to the root of each cgroup hierarchy: guest NAME runs in PARENT/NAME")
    String cgroupParent() default "vserver";
}
