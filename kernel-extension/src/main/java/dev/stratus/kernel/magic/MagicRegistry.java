package dev.stratus.kernel.magic;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/** The magics a kernel knows, by name; runs them and answers {@code --help}. */
public final class MagicRegistry {

    private final Map<String, Magic> magics = new ConcurrentSkipListMap<>();

    /** Registers a magic; a later registration of the same name replaces the earlier one. */
    public void register(Magic magic) {
        magics.put(magic.name(), magic);
    }

    /** All magics, by name. */
    public List<Magic> all() {
        return List.copyOf(magics.values());
    }

    public Magic find(String name) {
        Magic magic = magics.get(name);
        if (magic == null) {
            throw new UnknownMagicException("%", name, closest(name));
        }
        return magic;
    }

    public Object runLine(String name, MagicArguments args) throws Exception {
        Magic magic = magics.get(name);
        if (magic == null) {
            throw new UnknownMagicException("%", name, closest(name));
        }
        if (magic.line() == null) {
            throw new IllegalArgumentException("%" + name + " is a cell magic: start the cell with %%" + name);
        }
        return args.asksForHelp() ? new Help(magic.help()) : magic.line().run(args);
    }

    public Object runCell(String name, MagicArguments args, String body) throws Exception {
        Magic magic = magics.get(name);
        if (magic == null) {
            throw new UnknownMagicException("%%", name, closest(name));
        }
        if (magic.cell() == null) {
            throw new IllegalArgumentException("%%" + name + " is not a cell magic: use %" + name + " on a line of its own");
        }
        return args.asksForHelp() ? new Help(magic.help()) : magic.cell().run(args, body);
    }

    /** Names for completion after {@code %} or {@code %%}. */
    public List<String> namesStartingWith(String prefix, boolean cell) {
        return magics.values().stream()
                .filter(m -> cell ? m.cell() != null : m.line() != null)
                .map(Magic::name)
                .filter(n -> n.startsWith(prefix))
                .toList();
    }

    /** Up to three registered names nearest to a mistyped one: prefixes first, then by edit distance. */
    List<String> closest(String name) {
        return magics.keySet().stream()
                .filter(n -> n.startsWith(name) || name.startsWith(n) || editDistance(n, name) <= Math.max(2, name.length() / 3))
                .sorted(Comparator.comparingInt((String n) -> editDistance(n, name)).thenComparing(n -> n))
                .limit(3)
                .toList();
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** A magic's help text, shown as the cell's result. */
    public record Help(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
