package dev.stratus.algorithms.serving;

/**
 * The cells of one CSV line read where they lie in a byte array, as training channels and CSV requests are read:
 * how many there are, and each one's bounds without the spaces and control characters around it.
 */
public final class CsvCells {

    private CsvCells() {
    }

    /** How many cells {@code bytes[start, end)} holds: one more than its commas. */
    public static int count(byte[] bytes, int start, int end) {
        int cells = 1;
        for (int i = start; i < end; i++) {
            if (bytes[i] == ',') {
                cells++;
            }
        }
        return cells;
    }

    /** Past leading spaces and control characters, as String.trim skips them. */
    public static int trimmedStart(byte[] bytes, int start, int end) {
        while (start < end && (bytes[start] & 0xff) <= ' ') {
            start++;
        }
        return start;
    }

    /** Back over trailing spaces and control characters (a CR before the newline among them). */
    public static int trimmedEnd(byte[] bytes, int start, int end) {
        while (end > start && (bytes[end - 1] & 0xff) <= ' ') {
            end--;
        }
        return end;
    }
}
