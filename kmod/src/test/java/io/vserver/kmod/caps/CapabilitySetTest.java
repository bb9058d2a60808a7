package io.vserver.kmod.caps;

import org.junit.Test;

import java.util.EnumSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class CapabilitySetTest {

    @Test
    public void maskRoundTrips() {
        CapabilitySet set = CapabilitySet.ofMask(0x3L);
        assertEquals(0x3L, set.mask());
        assertEquals(EnumSet.of(Capability.CAP_CHOWN, Capability.CAP_DAC_OVERRIDE),
                set.toEnumSet());
        assertEquals(set, CapabilitySet.of(Capability.CAP_CHOWN, Capability.CAP_DAC_OVERRIDE));
    }

    @Test
    public void commaListIsWhatVcontextTakes() {
        CapabilitySet set = CapabilitySet.of(Capability.CAP_DAC_OVERRIDE, Capability.CAP_CHOWN);
        assertEquals("chown,dac_override", set.toCommaList());
        assertEquals("", CapabilitySet.empty().toCommaList());
        assertEquals("{chown,dac_override}", set.toString());
    }

    @Test
    public void parseReadsCommaListInAnyForm() {
        CapabilitySet set = CapabilitySet.parse("chown, CAP_KILL,Net_Bind_Service,");
        assertEquals(CapabilitySet.of(Capability.CAP_CHOWN, Capability.CAP_KILL,
                Capability.CAP_NET_BIND_SERVICE), set);
        assertEquals(CapabilitySet.empty(), CapabilitySet.parse(""));
        assertEquals(set, CapabilitySet.parse(set.toCommaList()));
    }

    @Test
    public void parseNamesTheBadEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CapabilitySet.parse("chown,bogus"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Unknown capability \"bogus\""));
    }

    @Test
    public void unnamedBitsAreKeptAndWrittenAsNumbers() {
        CapabilitySet set = CapabilitySet.ofMask(1L << 41 | 1L);
        assertEquals(1L << 41 | 1L, set.mask());
        assertEquals("chown,41", set.toCommaList());
        assertEquals(2, set.size());
        assertEquals(EnumSet.of(Capability.CAP_CHOWN), set.toEnumSet());
    }

    @Test
    public void upToCoversKernelRange() {
        assertEquals(0x1ffffffffffL, CapabilitySet.upTo(40).mask());
        assertEquals(CapabilitySet.allKnown(), CapabilitySet.upTo(40));
        assertEquals(-1L, CapabilitySet.upTo(63).mask());
        assertEquals(0L, CapabilitySet.upTo(-1).mask());
        assertThrows(IllegalArgumentException.class, () -> CapabilitySet.upTo(64));
    }

    @Test
    public void setAlgebra() {
        CapabilitySet base = CapabilitySet.of(Capability.CAP_CHOWN, Capability.CAP_KILL);
        CapabilitySet other = CapabilitySet.of(Capability.CAP_KILL, Capability.CAP_SYS_ADMIN);

        assertEquals(CapabilitySet.of(Capability.CAP_CHOWN, Capability.CAP_KILL,
                Capability.CAP_SYS_ADMIN), base.union(other));
        assertEquals(CapabilitySet.of(Capability.CAP_KILL), base.intersect(other));
        assertEquals(CapabilitySet.of(Capability.CAP_CHOWN), base.minus(other));
        assertEquals(CapabilitySet.of(Capability.CAP_CHOWN), base.without(Capability.CAP_KILL));
        assertTrue(base.with(Capability.CAP_SYS_ADMIN).containsAll(other));
        assertTrue(base.contains(Capability.CAP_KILL));
        assertFalse(base.contains(Capability.CAP_SYS_ADMIN));
        assertTrue(CapabilitySet.empty().isEmpty());
    }
}
