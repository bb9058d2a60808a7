package io.vserver.shell.internal;

import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;

/**
 * Completes the names of guests whose init runs (states RUNNING and STOPPING).
 */
@Service
public class RunningGuestCompleter extends GuestNameCompleter {

    @Override
    protected boolean accepts(GuestStatus guest) {
        return guest.state() == GuestState.RUNNING || guest.state() == GuestState.STOPPING;
    }
}
