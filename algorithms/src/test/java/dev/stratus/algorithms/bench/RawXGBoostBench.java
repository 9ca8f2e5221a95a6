package dev.stratus.algorithms.bench;

import java.util.HashMap;
import java.util.Map;

import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * XGBoost4J called directly: load a SageMaker-style CSV (label first) and train N rounds, the
 * baseline that bench/xgboost-training.sh compares a local training job against. Prints seconds.
 */
public final class RawXGBoostBench {

    public static void main(String[] args) throws Exception {
        String csv = args[0];
        int rounds = Integer.parseInt(args[1]);
        long start = System.nanoTime();
        DMatrix train = new DMatrix(csv + "?format=csv&label_column=0");
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "reg:squarederror");
        params.put("max_depth", 6);
        params.put("eta", 0.3);
        XGBoost.train(train, params, rounds, Map.of("train", train), null, null);
        System.out.printf("raw_seconds=%.3f%n", (System.nanoTime() - start) / 1e9);
    }

    private RawXGBoostBench() {
    }
}
