package dev.stratus.kernel.magic;

import java.util.List;

/**
 * What follows a magic's name on its line: the raw text (for magics such as {@code %time} that
 * take Java code) and the same text split into shell-like words.
 */
public record MagicArguments(String raw, List<String> words) {

    public MagicArguments {
        words = List.copyOf(words);
    }

    public static MagicArguments parse(String raw) {
        String trimmed = raw.strip();
        return new MagicArguments(trimmed, ShellWords.split(trimmed));
    }

    public boolean isEmpty() {
        return words.isEmpty();
    }

    /** {@code %name --help}: the first word asks for the magic's help instead of running it. */
    public boolean asksForHelp() {
        return !words.isEmpty() && words.get(0).equals("--help");
    }
}
