package io.vserver.host.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.IsolationElement;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.VServerException;

/** An isolation element for tests: owns the given keys and records the calls it gets. */
class FakeElement implements IsolationElement {

    /** A step the test lets the element do in prepare. */
    interface Preparation {
        void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException;
    }

    /** A check the test lets the element do in validate. */
    interface Validation {
        void validate(GuestSpec spec) throws InvalidConfigurationException;
    }

    private final String name;
    private final Set<String> keys;
    final List<String> calls = new ArrayList<>();
    volatile Preparation preparation = (spec, record, plan) -> {
    };
    volatile Validation validation = spec -> {
    };

    FakeElement(String name, String... keys) {
        this.name = name;
        this.keys = Set.of(keys);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String feature() {
        return "vserver-" + name;
    }

    @Override
    public Set<String> ownedKeys() {
        return keys;
    }

    @Override
    public void validate(GuestSpec spec) throws InvalidConfigurationException {
        record("validate " + spec.name());
        validation.validate(spec);
    }

    @Override
    public void prepare(GuestSpec spec, GuestRecord record, LaunchPlan plan) throws VServerException {
        record("prepare " + spec.name());
        preparation.prepare(spec, record, plan);
    }

    @Override
    public void attach(RunningGuest guest) {
        record("attach " + guest.spec().name());
    }

    @Override
    public void release(GuestRecord record) {
        record("release " + record.name());
    }

    private synchronized void record(String call) {
        calls.add(call);
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }
}
