/**
 * The Java client of the native vcontext program: typed requests for {@code vcontext create}
 * and {@code vcontext enter}, the two-phase start of a guest with its status protocol, and the
 * guest's exit record.
 */
@Version("1.0.0")
package io.vserver.kmod.vcontext;

import org.osgi.annotation.versioning.Version;
