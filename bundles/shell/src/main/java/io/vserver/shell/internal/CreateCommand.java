package io.vserver.shell.internal;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestStatus;

/**
 * {@code vserver:create}: defines a guest. The host validates the name and settings and writes
 * the guest's configuration. Nothing is created when validation fails.
 */
@Command(scope = "vserver", name = "create", description = "Defines a new guest. "
        + "It does not start it: use vserver:start NAME.")
@Service
public class CreateCommand implements Action {

    @Reference
    private GuestManager manager;

    @Option(name = "--image", aliases = "-i", description = "Sets the root file system: host (the host's own OS "
            + "shared read-only, the default), dir:PATH or tar:PATH. Same as --set image=IMAGE")
    private String image;

    @Option(name = "--set", aliases = "-s", multiValued = true, description = "Sets a configuration key, "
            + "in the form KEY=VALUE, for example limits.memory=512M. Repeatable")
    private List<String> settings;

    @Option(name = "--policy", aliases = "-p", multiValued = true, description = "Applies a policy by name. "
            + "Repeatable: policies are merged in the order given, and the guest's own keys override them")
    private List<String> policies;

    @Argument(index = 0, name = "name", required = true, description = "The guest's name: " +
            "1 to 63 characters, lowercase letters, digits and '-'")
    private String name;

    @Override
    public Object execute() throws Exception {
        Map<String, String> pairs = KeyValueOptions.parse("--set", settings);
        if (image != null) {
            String setImage = pairs.get("image");
            if (setImage != null && !setImage.equals(image)) {
                throw new CommandException("--image " + image + " and --set image=" + setImage
                        + " set different images: give the image once");
            }
            pairs.put("image", image);
        }
        GuestStatus created = Operations.value(() -> manager.create(name, pairs,
                policies == null ? List.of() : policies));
        System.out.println("Created guest " + created.name() + " (xid " + created.xid() + ", image "
                + created.image() + "). Start it with vserver:start " + created.name());
        return null;
    }
}
