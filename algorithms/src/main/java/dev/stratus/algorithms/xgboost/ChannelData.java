package dev.stratus.algorithms.xgboost;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * One channel's records, read from every data file in its folder. The files are parsed here rather
 * than by XGBoost's own readers, which accept rows of different widths and words without a word of
 * complaint: a bad file must fail the job with its name and line.
 */
final class ChannelData {

    enum Format { CSV, LIBSVM }

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

    private ChannelData(int rows, float[] labels, float[] weights, int features, float[] dense,
            long[] rowStarts, int[] indices, float[] values) {
        this.rows = rows;
        this.labels = labels;
        this.weights = weights;
        this.features = features;
        this.dense = dense;
        this.rowStarts = rowStarts;
        this.indices = indices;
        this.values = values;
    }

    /**
     * Reads a channel. {@code csvWeights}: the CSV's second column is an instance weight.
     * {@code train}: the train channel, whose feature count a CSV validation channel must match; null
     * when reading the train channel itself.
     */
    static ChannelData read(TrainingContext context, String channel, boolean csvWeights, ChannelData train)
            throws AlgorithmError, IOException {
        if ("Pipe".equals(context.channelConfig(channel).get("TrainingInputMode"))) {
            throw AlgorithmError.clientError("channel " + channel + ": Pipe input mode is not supported locally yet; use File");
        }
        Format format = format(channel, context.contentType(channel));
        Path folder = context.channel(channel);
        Records records = format == Format.CSV
                ? new CsvRecords(csvWeights, train == null ? -1 : train.features)
                : new LibsvmRecords();
        for (Path file : dataFiles(folder)) {
            String name = channel + "/" + folder.relativize(file);
            // ISO-8859-1 decodes any byte: a stray non-ASCII byte is then reported as a bad number, with its line.
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
                int lineNumber = 0;
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lineNumber++;
                    if (!line.isBlank()) {
                        records.add(line, name, lineNumber);
                    }
                }
            }
        }
        if (records.rows == 0) {
            throw AlgorithmError.clientError("No data in " + channel + " channel path " + folder);
        }
        return records.finish();
    }

    /** SageMaker's rules: no ContentType means LIBSVM; parameters after ';' are allowed, and a CSV's label_size must be 1. */
    private static Format format(String channel, Optional<String> contentType) throws AlgorithmError {
        if (contentType.isEmpty()) {
            return Format.LIBSVM;
        }
        String[] parts = contentType.get().toLowerCase(Locale.ROOT).split(";");
        String type = parts[0].trim();
        switch (type) {
            case "csv", "text/csv" -> {
                for (int i = 1; i < parts.length; i++) {
                    String parameter = parts[i].replace(" ", "");
                    if (parameter.startsWith("label_size=") && !parameter.equals("label_size=1")) {
                        throw AlgorithmError.clientError(contentType.get() + " is not an accepted csv ContentType. "
                                + "Optional parameter label_size must be equal to 1");
                    }
                }
                return Format.CSV;
            }
            case "libsvm", "text/libsvm", "text/x-libsvm" -> {
                return Format.LIBSVM;
            }
            case "parquet", "application/x-parquet", "recordio-protobuf", "application/x-recordio-protobuf" ->
                throw AlgorithmError.clientError("channel " + channel + ": ContentType " + contentType.get()
                        + " is not supported locally yet; use text/csv or text/libsvm");
            default -> throw AlgorithmError.clientError(contentType.get() + " is not an accepted ContentType: csv, libsvm, "
                    + "parquet, recordio-protobuf, text/csv, text/libsvm, text/x-libsvm, application/x-parquet, "
                    + "application/x-recordio-protobuf.");
        }
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

    int rows() {
        return rows;
    }

    /** CSV: the feature columns; LIBSVM: the highest feature index plus one. */
    int features() {
        return features;
    }

    /** A DMatrix with {@code columns} features (at least {@link #features()}), so that train and validation agree. */
    DMatrix toDMatrix(int columns) throws XGBoostError {
        DMatrix matrix = dense != null
                ? new DMatrix(dense, rows, features, Float.NaN)
                : new DMatrix(rowStarts, indices, values, DMatrix.SparseType.CSR, columns);
        matrix.setLabel(labels);
        if (weights != null) {
            matrix.setWeight(weights);
        }
        return matrix;
    }

    /** Collects the records of one channel, line by line. */
    private abstract static class Records {
        int rows;
        final Floats labels = new Floats();

        abstract void add(String line, String file, int lineNumber) throws AlgorithmError;

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

    /** The label in the first column, the instance weight in the second with csv_weights, then the features; no header. */
    private static final class CsvRecords extends Records {
        private final boolean withWeights;
        private final Floats weights = new Floats();
        private final Floats cells = new Floats();
        private int features;

        CsvRecords(boolean withWeights, int features) {
            this.withWeights = withWeights;
            this.features = features;
        }

        @Override
        void add(String line, String file, int lineNumber) throws AlgorithmError {
            String[] fields = line.split(",", -1);
            int first = withWeights ? 2 : 1;
            if (features < 0) {
                if (fields.length <= first) {
                    throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ": expected the label"
                            + (withWeights ? ", the weight" : "") + " and at least one feature, got " + fields.length + " columns");
                }
                features = fields.length - first;
            }
            if (fields.length != first + features) {
                throw AlgorithmError.clientError("file " + file + ", line " + lineNumber + ": expected " + (first + features)
                        + " columns, got " + fields.length);
            }
            labels.add(number(fields[0].trim(), file, lineNumber, 1));
            if (withWeights) {
                weights.add(number(fields[1].trim(), file, lineNumber, 2));
            }
            for (int i = first; i < fields.length; i++) {
                String cell = fields[i].trim();
                cells.add(cell.isEmpty() ? Float.NaN : number(cell, file, lineNumber, i + 1));
            }
            rows++;
        }

        @Override
        ChannelData finish() {
            return new ChannelData(rows, labels.toArray(), withWeights ? weights.toArray() : null, features,
                    cells.toArray(), null, null, null);
        }
    }

    /** {@code <label>[:<weight>] <index>:<value> ...}, indices as they are (XGBoost's own reader does not shift them either). */
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
        void add(String line, String file, int lineNumber) throws AlgorithmError {
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
            rows++;
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
            return new ChannelData(rows, labels.toArray(), anyWeight ? weights.toArray() : null, features, null,
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
