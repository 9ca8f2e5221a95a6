package dev.stratus.algorithms.builtin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.serving.CsvCells;
import dev.stratus.algorithms.serving.FloatText;

/**
 * One channel's records, read from every data file in its folder. The files are parsed here rather
 * than by the libraries' own readers, which accept rows of different widths and words without a word
 * of complaint: a bad file must fail the job with its name and line. Each record remembers its file
 * and line, so that a check made later (a label out of range, an empty cell) can name them too.
 */
public final class ChannelData {

    /** How a channel's records are written. */
    public enum Layout {
        /** CSV of features only, as SageMaker's unsupervised algorithms read {@code text/csv;label_size=0}. */
        CSV_FEATURES(false, false),
        /** SageMaker's CSV: the label in the first column, then the features; no header. */
        CSV_LABEL_FEATURES(true, false),
        /** XGBoost's CSV with csv_weights: the label, the instance weight, then the features. */
        CSV_LABEL_WEIGHT_FEATURES(true, true),
        /** {@code <label>[:<weight>] <index>:<value> ...}, indices as they are (XGBoost's own reader does not shift them either). */
        LIBSVM(true, false);

        private final boolean label;
        private final boolean weight;

        Layout(boolean label, boolean weight) {
            this.label = label;
            this.weight = weight;
        }

        /** The CSV columns before the features. */
        int leadingColumns() {
            return (label ? 1 : 0) + (weight ? 1 : 0);
        }
    }

    private final Layout layout;
    private final int rows;
    private final float[] labels;
    private final float[] weights;
    private final int features;
    /** CSV: rows x features, row after row, NaN where a cell is empty. Null for LIBSVM. */
    private final float[] dense;
    /** LIBSVM, as compressed sparse rows. Null for CSV. */
    private final long[] rowStarts;
    private final int[] indices;
    private final float[] values;
    /** Where each record was read: the files that hold records, the index of each one's first record, and each record's line. */
    private final List<String> files;
    private final int[] fileStarts;
    private final int[] lines;

    private ChannelData(Layout layout, Records records, float[] weights, int features, float[] dense,
            long[] rowStarts, int[] indices, float[] values) {
        this.layout = layout;
        this.rows = records.rows;
        this.labels = layout.label ? records.labels.toArray() : null;
        this.weights = weights;
        this.features = features;
        this.dense = dense;
        this.rowStarts = rowStarts;
        this.indices = indices;
        this.values = values;
        this.files = List.copyOf(records.files);
        this.fileStarts = records.fileStarts.toArray();
        this.lines = records.lines.toArray();
    }

    /**
     * Fails unless the job has a {@code train} channel and no channel outside {@code accepted} (which
     * includes {@code train}), in the words of SageMaker's algorithms.
     */
    public static void checkChannels(TrainingContext context, Set<String> accepted) throws AlgorithmError {
        if (!context.channels().contains("train")) {
            throw AlgorithmError.clientError("Missing required channel: train");
        }
        for (String channel : context.channels()) {
            if (!accepted.contains(channel)) {
                throw AlgorithmError.clientError("Extraneous channel found: " + channel);
            }
        }
    }

    /**
     * The CSV layout of a channel of SageMaker's own algorithms (Linear Learner, K-Means), from its
     * ContentType: {@code text/csv}, whose optional {@code label_size} (0 or 1, else
     * {@code defaultLabelSize}) says whether a label comes first. Without a ContentType these
     * algorithms read recordIO-protobuf, which is not supported here yet.
     */
    public static Layout sageMakerCsvLayout(TrainingContext context, String channel, int defaultLabelSize) throws AlgorithmError {
        Optional<String> contentType = context.contentType(channel);
        if (contentType.isEmpty()) {
            throw AlgorithmError.clientError("channel " + channel + ": no ContentType means application/x-recordio-protobuf,"
                    + " which is not supported locally yet; set ContentType text/csv");
        }
        ContentType type = ContentType.parse(contentType.get());
        switch (type.mediaType()) {
            case "text/csv" -> {
                String labelSize = type.parameters().getOrDefault("label_size", Integer.toString(defaultLabelSize));
                return switch (labelSize) {
                    case "0" -> Layout.CSV_FEATURES;
                    case "1" -> Layout.CSV_LABEL_FEATURES;
                    default -> throw AlgorithmError.clientError("channel " + channel + ": ContentType " + contentType.get()
                            + " is not accepted: label_size must be 0 or 1");
                };
            }
            case "application/x-recordio-protobuf" -> throw AlgorithmError.clientError("channel " + channel + ": ContentType "
                    + contentType.get() + " is not supported locally yet; use text/csv");
            default -> throw AlgorithmError.clientError("channel " + channel + ": ContentType " + contentType.get()
                    + " is not accepted: use text/csv (or application/x-recordio-protobuf, not supported locally yet)");
        }
    }

    /**
     * Reads a channel in File mode. {@code train}: the train channel, whose feature count a CSV
     * channel must match; null when reading the train channel itself.
     */
    public static ChannelData read(TrainingContext context, String channel, Layout layout, ChannelData train)
            throws AlgorithmError, IOException {
        if ("Pipe".equals(context.channelConfig(channel).get("TrainingInputMode"))) {
            throw AlgorithmError.clientError("channel " + channel + ": Pipe input mode is not supported locally yet; use File");
        }
        Path folder = context.channel(channel);
        Records records = layout == Layout.LIBSVM
                ? new LibsvmRecords()
                : new CsvRecords(layout, train == null ? -1 : train.features);
        for (Path file : dataFiles(folder)) {
            records.readFile(file, channel + "/" + folder.relativize(file));
        }
        if (records.rows == 0) {
            throw AlgorithmError.clientError("No data in " + channel + " channel path " + folder);
        }
        return records.finish();
    }

    /** True when the channel's folder holds no data file: a host's share of a ShardedByS3Key channel can be empty. */
    public static boolean isEmpty(TrainingContext context, String channel) throws IOException {
        return dataFiles(context.channel(channel)).isEmpty();
    }

    /** A channel without records, for a host that has no share of it. */
    public static ChannelData empty(Layout layout) {
        return (layout == Layout.LIBSVM ? new LibsvmRecords() : new CsvRecords(layout, 0)).finish();
    }

    /** Every file under the folder, in name order, except hidden and marker files such as Spark's {@code _SUCCESS} and {@code .crc}. */
    private static List<Path> dataFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile)
                    .filter(file -> {
                        for (Path part : folder.relativize(file)) {
                            if (part.toString().startsWith(".") || part.toString().startsWith("_")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted()
                    .toList();
        }
    }

    public Layout layout() {
        return layout;
    }

    public int rows() {
        return rows;
    }

    /** CSV: the feature columns; LIBSVM: the highest feature index plus one. */
    public int features() {
        return features;
    }

    /** Each record's label; null for {@link Layout#CSV_FEATURES}. The array itself, not a copy: a channel can be large. */
    public float[] labels() {
        return labels;
    }

    /** Each record's instance weight, or null when the channel carries none. Not a copy. */
    public float[] weights() {
        return weights;
    }

    /** CSV: rows x {@link #features()} values, row after row, NaN where a cell is empty; null for LIBSVM. Not a copy. */
    public float[] dense() {
        return dense;
    }

    /** LIBSVM as compressed sparse rows: where each row's entries start in {@link #indices()} and {@link #values()}; null for CSV. */
    public long[] rowStarts() {
        return rowStarts;
    }

    public int[] indices() {
        return indices;
    }

    public float[] values() {
        return values;
    }

    /** Where a record was read, as error messages name it: {@code file train/part-1.csv, line 7}. */
    public String where(int row) {
        int file = Arrays.binarySearch(fileStarts, row);
        // Not a file's first record: the file is the one before the insertion point.
        if (file < 0) {
            file = -file - 2;
        }
        return "file " + files.get(file) + ", line " + lines[row];
    }

    /** Where a CSV record's feature was read: {@code file train/part-1.csv, line 7, column 3}. */
    public String where(int row, int feature) {
        return where(row) + ", column " + (layout.leadingColumns() + feature + 1);
    }

    /** Fails unless the records have as many features as hyperparameter {@code name} (feature_dim) says. */
    public void checkFeatures(String name, int expected) throws AlgorithmError {
        if (features != expected) {
            throw AlgorithmError.clientError("Hyperparameter " + name + ": " + expected + " does not match the data: "
                    + where(0) + " has " + features + " features");
        }
    }

    /** Fails on the first empty CSV cell, for algorithms that have no notion of a missing value. */
    public void checkNoEmptyCells() throws AlgorithmError {
        for (int i = 0; dense != null && i < dense.length; i++) {
            if (Float.isNaN(dense[i])) {
                throw AlgorithmError.clientError(where(i / features, i % features) + ": empty cell; every feature needs a number");
            }
        }
    }

    /** A ContentType as SageMaker passes it: the media type, lower case, and its {@code ;}-separated parameters. */
    public record ContentType(String mediaType, Map<String, String> parameters) {

        public static ContentType parse(String contentType) {
            String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int equals = parts[i].indexOf('=');
                if (equals < 0) {
                    parameters.put(parts[i].trim(), "");
                } else {
                    parameters.put(parts[i].substring(0, equals).trim(), parts[i].substring(equals + 1).trim());
                }
            }
            return new ContentType(parts[0].trim(), parameters);
        }
    }

    /** Collects the records of one channel, line by line. */
    private abstract static class Records {
        int rows;
        final Floats labels = new Floats();
        final List<String> files = new ArrayList<>();
        final Ints fileStarts = new Ints();
        final Ints lines = new Ints();

        /** Reads every record of one file, {@code name} being how messages name it. */
        abstract void readFile(Path file, String name) throws AlgorithmError, IOException;

        /** Remembers where the record just parsed was read. */
        final void recorded(String file, int lineNumber) {
            if (files.isEmpty() || !files.get(files.size() - 1).equals(file)) {
                files.add(file);
                fileStarts.add(rows);
            }
            lines.add(lineNumber);
            rows++;
        }

        abstract ChannelData finish();

        static float number(String text, String file, int lineNumber, int column) throws AlgorithmError {
            try {
                return Float.parseFloat(text);
            } catch (NumberFormatException e) {
                String hint = lineNumber == 1 && column == 1 ? " (SageMaker's CSV and LIBSVM files have no header line)" : "";
                throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ", column " + column + ": '" + text
                        + "' is not a number" + hint);
            }
        }
    }

    /** The layout's leading columns (label, weight), then the features; no header. */
    private static final class CsvRecords extends Records {
        private final Layout layout;
        private final Floats weights = new Floats();
        private final Floats cells = new Floats();
        private int features;

        CsvRecords(Layout layout, int features) {
            this.layout = layout;
            this.features = features;
        }

        /**
         * Reads the file's bytes a chunk at a time and parses each line where it lies: for a channel of
         * millions of cells this is several times faster than a String and a Float.parseFloat per cell.
         */
        @Override
        void readFile(Path file, String name) throws AlgorithmError, IOException {
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 20];
                int held = 0;
                int lineNumber = 0;
                while (true) {
                    int read = in.read(buffer, held, buffer.length - held);
                    int end = read < 0 ? held : held + read;
                    int lineStart = 0;
                    // The bytes held over from the last chunk end no line: look for ends in the new ones only.
                    for (int i = held; i < end; i++) {
                        if (buffer[i] == '\n') {
                            line(buffer, lineStart, i, name, ++lineNumber);
                            lineStart = i + 1;
                        }
                    }
                    if (read < 0) {
                        if (lineStart < end) {
                            line(buffer, lineStart, end, name, ++lineNumber);
                        }
                        return;
                    }
                    held = end - lineStart;
                    System.arraycopy(buffer, lineStart, buffer, 0, held);
                    if (held == buffer.length) {
                        buffer = Arrays.copyOf(buffer, buffer.length * 2); // a line longer than the buffer
                    }
                }
            }
        }

        /** One line, {@code bytes[start, end)} without its newline: blank lines are skipped. */
        private void line(byte[] bytes, int start, int end, String file, int lineNumber) throws AlgorithmError {
            int from = CsvCells.trimmedStart(bytes, start, end);
            int to = CsvCells.trimmedEnd(bytes, from, end);
            if (from == to) {
                return;
            }
            int columns = CsvCells.count(bytes, from, to);
            int first = layout.leadingColumns();
            if (features < 0) {
                if (columns <= first) {
                    throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ": expected "
                            + (layout.label ? "the label" + (layout.weight ? ", the weight" : "") + " and " : "")
                            + "at least one feature, got " + columns + " columns");
                }
                features = columns - first;
            }
            if (columns != first + features) {
                throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ": expected " + (first + features)
                        + " columns, got " + columns);
            }
            int cellStart = from;
            int column = 0;
            for (int i = from; i <= to; i++) {
                if (i < to && bytes[i] != ',') {
                    continue;
                }
                column++;
                int cellFrom = CsvCells.trimmedStart(bytes, cellStart, i);
                int cellTo = CsvCells.trimmedEnd(bytes, cellFrom, i);
                if (column > first) {
                    cells.add(cellFrom == cellTo ? Float.NaN : number(bytes, cellFrom, cellTo, file, lineNumber, column));
                } else {
                    (column == 1 && layout.label ? labels : weights).add(number(bytes, cellFrom, cellTo, file, lineNumber, column));
                }
                cellStart = i + 1;
            }
            recorded(file, lineNumber);
        }

        private static float number(byte[] bytes, int start, int end, String file, int lineNumber, int column)
                throws AlgorithmError {
            try {
                return FloatText.parse(bytes, start, end);
            } catch (NumberFormatException e) {
                return Records.number(new String(bytes, start, end - start, StandardCharsets.UTF_8), file, lineNumber, column);
            }
        }

        @Override
        ChannelData finish() {
            return new ChannelData(layout, this, layout.weight ? weights.toArray() : null, features, cells.toArray(),
                    null, null, null);
        }
    }

    private static final class LibsvmRecords extends Records {
        private final Floats weights = new Floats();
        private boolean anyWeight;
        private final Ints rowStarts = new Ints();
        private final Ints indices = new Ints();
        private final Floats values = new Floats();
        private int features;

        LibsvmRecords() {
            rowStarts.add(0);
        }

        @Override
        void readFile(Path file, String name) throws AlgorithmError, IOException {
            // ISO-8859-1 decodes any byte: a stray non-ASCII byte is then reported as a bad number, with its line.
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
                int lineNumber = 0;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lineNumber++;
                    if (!line.isBlank()) {
                        parse(line, name, lineNumber);
                        recorded(name, lineNumber);
                    }
                }
            }
        }

        private void parse(String line, String file, int lineNumber) throws AlgorithmError {
            String[] tokens = line.trim().split("\\s+");
            if (tokens[0].contains(",")) {
                throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ": looks like CSV, but the channel is"
                        + " read as LIBSVM, SageMaker's default when no ContentType is set; set ContentType text/csv");
            }
            String[] label = tokens[0].split(":", -1);
            if (label.length > 2) {
                throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ": '" + tokens[0]
                        + "' is not <label> or <label>:<weight>");
            }
            labels.add(number(label[0], file, lineNumber, 1));
            anyWeight |= label.length == 2;
            weights.add(label.length == 2 ? number(label[1], file, lineNumber, 1) : 1f);
            for (int i = 1; i < tokens.length; i++) {
                int colon = tokens[i].indexOf(':');
                int index = colon > 0 ? featureIndex(tokens[i].substring(0, colon)) : -1;
                if (index < 0) {
                    throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ", column " + (i + 1) + ": '"
                            + tokens[i] + "' is not <index>:<value>");
                }
                indices.add(index);
                values.add(number(tokens[i].substring(colon + 1), file, lineNumber, i + 1));
                features = Math.max(features, index + 1);
            }
            rowStarts.add(indices.size());
        }

        private static int featureIndex(String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        ChannelData finish() {
            long[] starts = Arrays.stream(rowStarts.toArray()).asLongStream().toArray();
            return new ChannelData(Layout.LIBSVM, this, anyWeight ? weights.toArray() : null, features, null,
                    starts, indices.toArray(), values.toArray());
        }
    }

    /** A growable float array: a channel can hold millions of cells, too many to box. */
    private static final class Floats {
        private float[] items = new float[1024];
        private int size;

        void add(float value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, items.length * 2);
            }
            items[size++] = value;
        }

        float[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }

    private static final class Ints {
        private int[] items = new int[1024];
        private int size;

        void add(int value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, items.length * 2);
            }
            items[size++] = value;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}
