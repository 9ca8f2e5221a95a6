package dev.stratus.kernel.magic;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a cell, in IJava's magic syntax, into the parts the kernel runs in order: Java code,
 * {@code %name args} lines, or one {@code %%name args} cell magic that owns the rest of the
 * cell. A line magic used as a value ({@code var files = %jars lib/*.jar}) stays inside the
 * Java code as a call to {@link MagicRuntime}.
 */
public final class CellParser {

    private static final Pattern CELL_MAGIC = Pattern.compile("^\\s*%%(\\w+)([^\\n]*)(?:\\n|$)");
    private static final Pattern LINE_MAGIC = Pattern.compile("^\\s*%(\\w+)(.*)$");
    private static final Pattern INLINE_MAGIC = Pattern.compile("(?<=[^=!<>]=)\\s*%(\\w+)(.*)$");

    private CellParser() {
    }

    /** A part of a cell, with the 0-based line of the cell where it starts. */
    public sealed interface Part permits JavaCode, LineMagicCall, CellMagicCall {
        int firstLine();
    }

    public record JavaCode(String code, int firstLine) implements Part {
    }

    public record LineMagicCall(String name, MagicArguments args, int firstLine) implements Part {
    }

    public record CellMagicCall(String name, MagicArguments args, String body, int firstLine) implements Part {
    }

    public static List<Part> parse(String cell) {
        Matcher cellMagic = CELL_MAGIC.matcher(cell);
        if (cellMagic.find()) {
            int line = lineOf(cell, cellMagic.start(1));
            return List.of(new CellMagicCall(cellMagic.group(1), MagicArguments.parse(cellMagic.group(2)),
                    cell.substring(cellMagic.end()), line));
        }
        List<Part> parts = new ArrayList<>();
        String[] lines = cell.split("\n", -1);
        StringBuilder java = new StringBuilder();
        int javaStart = 0;
        for (int i = 0; i < lines.length; i++) {
            Matcher lineMagic = LINE_MAGIC.matcher(lines[i]);
            if (lineMagic.matches()) {
                addJava(parts, java, javaStart);
                parts.add(new LineMagicCall(lineMagic.group(1), MagicArguments.parse(lineMagic.group(2)), i));
                javaStart = i + 1;
            } else {
                java.append(inlineMagicsAsCalls(lines[i])).append('\n');
            }
        }
        addJava(parts, java, javaStart);
        return parts;
    }

    /** The cell with magic lines blanked out (same length), for Java completion and analysis. */
    public static String javaOnly(String cell) {
        if (CELL_MAGIC.matcher(cell).find()) {
            return " ".repeat(cell.length());
        }
        StringBuilder out = new StringBuilder(cell.length());
        String[] lines = cell.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            out.append(LINE_MAGIC.matcher(lines[i]).matches() ? " ".repeat(lines[i].length()) : lines[i]);
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static void addJava(List<Part> parts, StringBuilder java, int firstLine) {
        if (!java.toString().isBlank()) {
            parts.add(new JavaCode(java.toString(), firstLine));
        }
        java.setLength(0);
    }

    private static String inlineMagicsAsCalls(String line) {
        Matcher inline = INLINE_MAGIC.matcher(line);
        if (!inline.find() || insideStringLiteral(line, inline.start())) {
            return line;
        }
        String raw = inline.group(2).strip();
        if (raw.endsWith(";")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return line.substring(0, inline.start()) + " " + MagicRuntime.class.getName()
                + ".line(" + javaString(inline.group(1)) + ", " + javaString(raw) + ");";
    }

    /** {@code String.format("x = %d", x)} holds no magic: the {@code %} is inside a string. */
    private static boolean insideStringLiteral(String line, int index) {
        boolean inside = false;
        for (int i = 0; i < index; i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                inside = !inside;
            }
        }
        return inside;
    }

    private static String javaString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static int lineOf(String text, int offset) {
        return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count();
    }
}
