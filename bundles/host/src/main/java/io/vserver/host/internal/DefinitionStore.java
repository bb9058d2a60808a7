package io.vserver.host.internal;

import java.util.Map;

import io.vserver.api.VServerException;

/**
 * The storage of guest definitions: one set of configuration keys per guest name. The OSGi
 * implementation is {@link ConfigAdminDefinitions}, and tests use a map.
 */
interface DefinitionStore {

    /** Receives the changes of definitions made outside the host, such as edits of the files. */
    interface Listener {

        /** A definition was created or changed; {@code keys} are its new keys. */
        void definitionChanged(String name, Map<String, String> keys);

        /** A definition was deleted. */
        void definitionDeleted(String name);
    }

    /** Returns every definition, by guest name. */
    Map<String, Map<String, String>> loadAll() throws VServerException;

    /**
     * Stores a new definition.
     *
     * @throws VServerException when a definition of that name exists or cannot be written
     */
    void create(String name, Map<String, String> keys) throws VServerException;

    /** Replaces the keys of an existing definition. */
    void update(String name, Map<String, String> keys) throws VServerException;

    /** Deletes a definition; deleting a missing one does nothing. */
    void delete(String name) throws VServerException;
}
