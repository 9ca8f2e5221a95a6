package dev.stratus.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void splitsLikeAShell() {
        assertEquals(List.of("lib/*.jar", "a b", "c d", "e f", "x\"y", "$HOME"),
                ShellWords.split("  lib/*.jar \"a b\" 'c d' e\\ f \"x\\\"y\" '$HOME' "));
    }

    @Test
    void adjacentQuotedPiecesMakeOneWord() {
        assertEquals(List.of("--name=my job", ""), ShellWords.split("--name='my job' \"\""));
    }

    @Test
    void unterminatedQuotesAreOneLineErrors() {
        for (String line : List.of("'open", "\"open")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShellWords.split(line));
            assertTrue(e.getMessage().contains("unterminated"), e.getMessage());
            assertTrue(e.getMessage().contains("close the quote"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }
}
