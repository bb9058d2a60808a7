package io.vserver.shell.internal;

import org.apache.karaf.shell.api.action.lifecycle.Service;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;

/**
 * Completes the names of guests that do not run (states STOPPED and FAILED).
 */
@Service
public class StoppedGuestCompleter extends GuestNameCompleter {

    @Override
    protected boolean accepts(GuestStatus guest) {
        return guest.state() == GuestState.STOPPED || guest.state() == GuestState.FAILED;
    }
}
