/**
 * The Java client of the native vcontext program: typed requests for {@code vcontext create},
 * {@code vcontext enter} and {@code vcontext spectate}, the two-phase start of a guest with its
 * status protocol, and the guest's exit record.
 */
@Version("1.1.0")
package io.vserver.kmod.vcontext;

import org.osgi.annotation.versioning.Version;
