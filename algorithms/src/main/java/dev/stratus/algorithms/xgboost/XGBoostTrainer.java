package dev.stratus.algorithms.xgboost;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.Trainer;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.builtin.ChannelData;
import dev.stratus.algorithms.builtin.ChannelData.ContentType;
import dev.stratus.algorithms.builtin.ChannelData.Layout;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * SageMaker's built-in XGBoost algorithm, training side: the hyperparameters, channels, log lines and
 * model file of sagemaker-xgboost-container, on XGBoost4J, on one host or several (see
 * {@link DistributedTraining}).
 */
public final class XGBoostTrainer implements Trainer {

    /** The model file's name in SageMaker's {@code model.tar.gz}. */
    public static final String MODEL_FILE = "xgboost-model";

    /** CloudWatch shows the tab between a round's metrics as "#011"; metric regexes written for SageMaker expect it. */
    private static final String TAB = "#011";
    /** Metrics where higher is better, as XGBoost's early stopping decides it. */
    private static final List<String> MAXIMIZED = List.of("auc", "aucpr", "map", "ndcg", "interval-regression-accuracy");
    /**
     * XGBoost failures caused by the job's data or hyperparameters (the container's CUSTOMER_ERRORS,
     * worded as XGBoost 2.1 words them); any other failure is the algorithm's.
     */
    private static final List<String> CUSTOMER_ERRORS = List.of("label must be in [0,1]", "label must be in [0, num_class)",
            "label must be nonnegative", "label must be positive", "base_score must be in", "Only uniform sampling is supported",
            "Unknown metric function", "dataset only contains pos or neg samples", "must be greater than",
            "Check failed: preds.size() == info.labels.Size()", "feature_names mismatch",
            "doesn't support distributed training");

    private final PrintStream out;

    public XGBoostTrainer() {
        this(System.out);
    }

    XGBoostTrainer(PrintStream out) {
        this.out = out;
    }

    @Override
    public void train(TrainingContext context) throws AlgorithmError, IOException {
        XGBoostHyperparameters hyperparameters = XGBoostHyperparameters.validate(context);
        checkChannels(context, hyperparameters);
        // libgomp reads it from the process's own environment, once: only the launcher can set it.
        if (System.getenv("OMP_WAIT_POLICY") == null) {
            out.println("WARNING: OMP_WAIT_POLICY is not set: XGBoost's threads will spin between tasks, several times slower"
                    + " on shared cores; set OMP_WAIT_POLICY=passive in the environment that starts this program.");
        }

        List<String> hosts = context.hosts();
        DistributedTraining distributed = null;
        if (hosts.size() > 1) {
            out.println("Distributed node training with " + hosts.size() + " hosts: " + DistributedTraining.hosts(hosts));
            // Before reading data: a host whose data is bad then ends at once, and the others see it go at the first exchange.
            distributed = DistributedTraining.join(context);
        } else {
            out.println("Single node training.");
        }
        ChannelData train = read(context, "train", layout(context, "train", hyperparameters.csvWeights()), null, distributed != null);
        // Like SageMaker's container, csv_weights applies to the train channel only.
        ChannelData validation = context.channels().contains("validation")
                ? read(context, "validation", layout(context, "validation", false), train, distributed != null) : null;
        out.println("Train matrix has " + train.rows() + " rows and " + train.features() + " features");
        if (validation != null) {
            out.println("Validation matrix has " + validation.rows() + " rows");
        }

        int columns = validation == null ? train.features() : Math.max(train.features(), validation.features());
        Map<String, DMatrix> watches = new LinkedHashMap<>();
        try {
            watches.put("train", dmatrix(train, columns));
            if (validation != null) {
                watches.put("validation", dmatrix(validation, columns));
            }
            // Zero rounds: a booster configured with the parameters and caching the watched sets, not yet trained.
            Booster booster = XGBoost.train(watches.get("train"), hyperparameters.boosterParams(), 0, watches, null, null);
            try {
                // Every host evaluates the same metrics (XGBoost sums them over all hosts): the first one logs them.
                boolean firstHost = DistributedTraining.isFirstHost(context);
                boost(booster, hyperparameters, watches, firstHost ? out : new PrintStream(OutputStream.nullOutputStream()));
                if (firstHost) {
                    save(booster, context.modelDir());
                }
            } finally {
                booster.dispose();
            }
        } catch (XGBoostError e) {
            // With several hosts, making a matrix is an exchange too: it fails when another host is gone.
            throw translate(e);
        } finally {
            watches.values().forEach(DMatrix::dispose);
        }
        if (distributed != null) {
            distributed.finish();
        }
    }

    /**
     * A channel's data. With several hosts, a host's share of a ShardedByS3Key channel can be empty: it
     * still takes part, with no rows, so that every host makes the same exchanges.
     */
    private ChannelData read(TrainingContext context, String channel, Layout layout, ChannelData train, boolean distributed)
            throws AlgorithmError, IOException {
        if (distributed && ChannelData.isEmpty(context, channel)) {
            out.println("Host " + context.currentHost() + " has no data in channel " + channel + ": it takes part with none.");
            return ChannelData.empty(layout);
        }
        return ChannelData.read(context, channel, layout, train == null || train.rows() == 0 ? null : train);
    }

    private static void checkChannels(TrainingContext context, XGBoostHyperparameters hyperparameters) throws AlgorithmError {
        ChannelData.checkChannels(context, Set.of("train", "validation"));
        if (hyperparameters.earlyStoppingRounds() > 0 && !context.channels().contains("validation")) {
            throw AlgorithmError.clientError("Hyperparameter early_stopping_rounds: early stopping watches the validation"
                    + " channel; add a validation channel or remove early_stopping_rounds");
        }
    }

    /**
     * SageMaker XGBoost's rules: no ContentType means LIBSVM; parameters after ';' are allowed, and a
     * CSV's label_size must be 1. {@code csvWeights}: the CSV's second column is an instance weight.
     */
    private static Layout layout(TrainingContext context, String channel, boolean csvWeights) throws AlgorithmError {
        Optional<String> contentType = context.contentType(channel);
        if (contentType.isEmpty()) {
            return Layout.LIBSVM;
        }
        ContentType type = ContentType.parse(contentType.get());
        switch (type.mediaType()) {
            case "csv", "text/csv" -> {
                if (!type.parameters().getOrDefault("label_size", "1").equals("1")) {
                    throw AlgorithmError.clientError(contentType.get() + " is not an accepted csv ContentType. "
                            + "Optional parameter label_size must be equal to 1");
                }
                return csvWeights ? Layout.CSV_LABEL_WEIGHT_FEATURES : Layout.CSV_LABEL_FEATURES;
            }
            case "libsvm", "text/libsvm", "text/x-libsvm" -> {
                return Layout.LIBSVM;
            }
            case "parquet", "application/x-parquet", "recordio-protobuf", "application/x-recordio-protobuf" ->
                throw AlgorithmError.clientError("channel " + channel + ": ContentType " + contentType.get()
                        + " is not supported locally yet; use text/csv or text/libsvm");
            default -> throw AlgorithmError.clientError(contentType.get() + " is not an accepted ContentType: csv, libsvm, "
                    + "parquet, recordio-protobuf, text/csv, text/libsvm, text/x-libsvm, application/x-parquet, "
                    + "application/x-recordio-protobuf.");
        }
    }

    /**
     * A DMatrix with {@code columns} features (at least the channel's), so that train and validation
     * agree; an empty CSV cell is a missing value.
     */
    private static DMatrix dmatrix(ChannelData data, int columns) throws XGBoostError {
        DMatrix matrix = data.layout() == Layout.LIBSVM
                ? new DMatrix(data.rowStarts(), data.indices(), data.values(), DMatrix.SparseType.CSR, columns)
                : new DMatrix(data.dense(), data.rows(), data.features(), Float.NaN);
        matrix.setLabel(data.labels());
        if (data.weights() != null) {
            matrix.setWeight(data.weights());
        }
        return matrix;
    }

    /** Boosts round by round, printing each round's metrics to {@code log} as the container does, and stops early when asked. */
    private static void boost(Booster booster, XGBoostHyperparameters hyperparameters, Map<String, DMatrix> watches, PrintStream log)
            throws AlgorithmError, XGBoostError {
        DMatrix train = watches.get("train");
        DMatrix[] sets = watches.values().toArray(DMatrix[]::new);
        String[] names = watches.keySet().toArray(String[]::new);
        // XGBoost takes several metrics as repeated eval_metric parameters, which a Map cannot hold.
        for (String metric : hyperparameters.evalMetrics()) {
            booster.setParam("eval_metric", metric);
        }
        int patience = hyperparameters.earlyStoppingRounds();
        EarlyStopping stopping = patience > 0 ? new EarlyStopping(patience) : null;
        for (int round = 0; round < hyperparameters.numRound(); round++) {
            List<Metric> metrics;
            try {
                booster.update(train, round);
                metrics = Metric.parse(booster.evalSet(sets, names, round));
            } catch (XGBoostError e) {
                throw translate(e);
            }
            String line = "[" + round + "]" + String.join("", metrics.stream().map(m -> TAB + m).toList());
            Metric watched = metrics.get(metrics.size() - 1);
            if (stopping != null && round == 0) {
                log.println("Will train until " + watched.name() + " hasn't improved in " + patience + " rounds.");
            }
            log.println(line);
            if (stopping != null && stopping.stop(round, watched, line)) {
                log.println("Stopping. Best iteration:");
                log.println(stopping.bestLine);
                break;
            }
        }
        // As XGBoost's Python package records them; the model keeps every round, as the container's does.
        if (stopping != null) {
            booster.setAttr("best_iteration", Integer.toString(stopping.bestRound));
            booster.setAttr("best_score", Double.toString(stopping.best.value()));
        }
    }

    /** XGBoost's own format (UBJSON, its default since 2.1), which every XGBoost binding loads. */
    private void save(Booster booster, Path modelDir) throws IOException, XGBoostError {
        Files.createDirectories(modelDir);
        Path model = modelDir.resolve(MODEL_FILE);
        try (OutputStream stream = Files.newOutputStream(model)) {
            booster.saveModel(stream, "ubj");
        }
        out.println("Saved the model to " + model);
    }

    /** XGBoost's message, on one line; a client error when the job's input caused it. */
    private static AlgorithmError translate(XGBoostError error) {
        String message = oneLine(error);
        for (String customerError : CUSTOMER_ERRORS) {
            if (message.contains(customerError)) {
                return AlgorithmError.clientError(message);
            }
        }
        return new AlgorithmError("AlgorithmError: XGB train call failed with exception: " + message, error);
    }

    /** XGBoost's message without its time stamp, source location and native stack trace, on one line. */
    static String oneLine(XGBoostError error) {
        String message = String.valueOf(error.getMessage());
        int stack = message.indexOf("Stack trace:");
        return (stack < 0 ? message : message.substring(0, stack)).strip()
                .replaceFirst("^\\[[0-9:]+\\] \\S+:[0-9]+: ", "")
                .replaceAll("\\s*\\n\\s*", " ");
    }

    /** One value of one round's evaluation: {@code validation-rmse:0.45123}. */
    private record Metric(String name, double value) {

        /** {@code [3]\ttrain-rmse:0.41235...\tvalidation-rmse:0.45...}, as XGBoost's evaluation returns it. */
        static List<Metric> parse(String evaluation) {
            List<Metric> metrics = new ArrayList<>();
            String[] fields = evaluation.trim().split("\t");
            for (int i = 1; i < fields.length; i++) {
                int colon = fields[i].lastIndexOf(':');
                metrics.add(new Metric(fields[i].substring(0, colon), Double.parseDouble(fields[i].substring(colon + 1))));
            }
            return metrics;
        }

        boolean maximized() {
            String metric = name.substring(name.indexOf('-') + 1);
            int at = metric.indexOf('@');
            return MAXIMIZED.contains(at < 0 ? metric : metric.substring(0, at));
        }

        /** Five decimals, as XGBoost's Python callbacks print them. */
        @Override
        public String toString() {
            return name + ":" + String.format(Locale.ROOT, "%.5f", value);
        }
    }

    /**
     * XGBoost's early stopping: watch the last metric of the last watched set (validation), and stop
     * once it has not improved for the given number of rounds.
     */
    private static final class EarlyStopping {
        private final int rounds;
        private Metric best;
        private int bestRound;
        private String bestLine;

        EarlyStopping(int rounds) {
            this.rounds = rounds;
        }

        /** Records a round's watched metric; true when it has not improved for {@code rounds} rounds. */
        boolean stop(int round, Metric watched, String line) {
            boolean improved = best == null
                    || (watched.maximized() ? watched.value() > best.value() : watched.value() < best.value());
            if (improved) {
                best = watched;
                bestRound = round;
                bestLine = line;
            }
            return round - bestRound >= rounds;
        }
    }
}
