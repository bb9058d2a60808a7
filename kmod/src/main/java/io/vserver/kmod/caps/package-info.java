/** Linux capability names and numbers, and immutable capability sets. */
@Version("1.0.0")
package io.vserver.kmod.caps;

import org.osgi.annotation.versioning.Version;
