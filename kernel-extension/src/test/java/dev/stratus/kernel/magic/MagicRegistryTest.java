package dev.stratus.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class MagicRegistryTest {

    private final MagicRegistry registry = new MagicRegistry();

    MagicRegistryTest() {
        for (String name : List.of("time", "timeit", "jars", "maven", "lsmagic")) {
            registry.register(Magic.builder(name).summary("does " + name).usage("%" + name + " ARGS")
                    .line(args -> name + args.words()).build());
        }
    }

    @Test
    void runsALineMagicWithItsWords() throws Exception {
        assertEquals("jars[a.jar, b c]", registry.runLine("jars", MagicArguments.parse("a.jar 'b c'")));
    }

    @Test
    void dashDashHelpShowsUsageInsteadOfRunning() throws Exception {
        MagicRegistry.Help help = assertInstanceOf(MagicRegistry.Help.class, registry.runLine("maven", MagicArguments.parse("--help")));
        assertTrue(help.text().startsWith("%maven: does maven"), help.text());
        assertTrue(help.text().contains("%maven ARGS"), help.text());
    }

    @Test
    void anUnknownMagicNamesTheClosestOnes() {
        UnknownMagicException e = assertThrows(UnknownMagicException.class, () -> registry.runLine("tim", MagicArguments.parse("")));
        assertEquals("%tim is not a magic: did you mean %time or %timeit? %lsmagic lists them all", e.getMessage());
        assertTrue(assertThrows(UnknownMagicException.class, () -> registry.runLine("tme", MagicArguments.parse("")))
                .getMessage().startsWith("%tme is not a magic: did you mean %time?"));
        UnknownMagicException cell = assertThrows(UnknownMagicException.class,
                () -> registry.runCell("tim", MagicArguments.parse(""), "body"));
        assertTrue(cell.getMessage().startsWith("%%tim is not a magic: did you mean %%time"), cell.getMessage());
        IllegalArgumentException lineOnly = assertThrows(IllegalArgumentException.class,
                () -> registry.runCell("time", MagicArguments.parse(""), "body"));
        assertEquals("%%time is not a cell magic: use %time on a line of its own", lineOnly.getMessage());
        assertFalse(registry.closest("zzzzzzzz").contains("time"));
    }

    @Test
    void namesForCompletion() {
        assertEquals(List.of("time", "timeit"), registry.namesStartingWith("ti", false));
        assertEquals(List.of(), registry.namesStartingWith("ti", true));
    }

    @Test
    void aMagicNeedsAnIdentifierNameAndABody() {
        assertThrows(IllegalArgumentException.class, () -> Magic.builder("no-dash").summary("x").line(a -> null).build());
        assertThrows(IllegalArgumentException.class, () -> Magic.builder("empty").summary("x").build());
    }
}
