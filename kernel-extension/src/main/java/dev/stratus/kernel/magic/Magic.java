package dev.stratus.kernel.magic;

import java.util.Objects;

/**
 * A magic: a name, a one-line summary for {@code %lsmagic}, a usage text for {@code --help},
 * and a line form, a cell form, or both. Immutable; made with {@link #builder(String)}.
 */
public final class Magic {

    private final String name;
    private final String summary;
    private final String usage;
    private final LineMagic line;
    private final CellMagic cell;

    private Magic(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("magic name '" + name + "' must be a Java identifier");
        }
        this.summary = Objects.requireNonNull(b.summary, "summary of %" + name);
        this.usage = b.usage == null ? "" : b.usage.strip();
        this.line = b.line;
        this.cell = b.cell;
        if (line == null && cell == null) {
            throw new IllegalArgumentException("magic %" + name + " needs a line or a cell form");
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public String summary() {
        return summary;
    }

    public String usage() {
        return usage;
    }

    public LineMagic line() {
        return line;
    }

    public CellMagic cell() {
        return cell;
    }

    /** The help text shown by {@code %help NAME} and {@code %NAME --help}. */
    public String help() {
        StringBuilder text = new StringBuilder();
        if (line != null) {
            text.append('%').append(name);
        }
        if (cell != null) {
            text.append(line != null ? ", " : "").append("%%").append(name);
        }
        text.append(": ").append(summary);
        if (!usage.isEmpty()) {
            text.append("\n\n").append(usage);
        }
        return text.toString();
    }

    public static final class Builder {
        private final String name;
        private String summary;
        private String usage;
        private LineMagic line;
        private CellMagic cell;

        private Builder(String name) {
            this.name = name;
        }

        /** One line for {@code %lsmagic}. */
        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        /** Usage and options, shown by {@code --help}. */
        public Builder usage(String usage) {
            this.usage = usage;
            return this;
        }

        public Builder line(LineMagic line) {
            this.line = line;
            return this;
        }

        public Builder cell(CellMagic cell) {
            this.cell = cell;
            return this;
        }

        public Magic build() {
            return new Magic(this);
        }
    }
}
