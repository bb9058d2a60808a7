package io.vserver.host.internal;

import java.util.Map;

import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.VServerException;

/** Assigns context ids: each guest has its own, from 2 to 49151. */
final class XidAllocator {

    private XidAllocator() {
    }

    /**
     * Returns the lowest xid no guest uses.
     *
     * @param used the xid of each guest, by guest name
     * @throws VServerException when every xid is taken
     */
    static int allocate(Map<String, Integer> used) throws VServerException {
        boolean[] inUse = new boolean[GuestSpec.MAX_XID + 1];
        for (int xid : used.values()) {
            if (xid >= 0 && xid <= GuestSpec.MAX_XID) {
                inUse[xid] = true;
            }
        }
        for (int xid = GuestSpec.MIN_XID; xid <= GuestSpec.MAX_XID; xid++) {
            if (!inUse[xid]) {
                return xid;
            }
        }
        throw new VServerException("no free context id: all " + (GuestSpec.MAX_XID - GuestSpec.MIN_XID + 1)
                + " xids from " + GuestSpec.MIN_XID + " to " + GuestSpec.MAX_XID
                + " are in use; destroy a guest to free one");
    }

    /**
     * Checks that no other guest uses {@code xid}.
     *
     * @param used the xid of each guest, by guest name; {@code name}'s own entry is ignored
     * @throws InvalidConfigurationException naming the guest that has the xid
     */
    static void checkUnique(String name, int xid, Map<String, Integer> used) throws InvalidConfigurationException {
        for (Map.Entry<String, Integer> entry : used.entrySet()) {
            if (!entry.getKey().equals(name) && entry.getValue() == xid) {
                throw InvalidConfigurationException.invalidValue("guest " + name, GuestResolver.CONTEXT,
                        Integer.toString(xid), "an xid no other guest uses (guest " + entry.getKey()
                                + " has context " + xid + ")");
            }
        }
    }
}
