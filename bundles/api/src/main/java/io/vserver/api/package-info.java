/**
 * Guest model and the contract between the host VM and the isolation elements.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package io.vserver.api;
