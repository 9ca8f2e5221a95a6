/**
 * What Stratus's built-in algorithms (XGBoost, Linear Learner, K-Means) share: reading channels with
 * errors that name the file and line ({@link dev.stratus.algorithms.builtin.ChannelData}), hyperparameter
 * tables checked in SageMaker's words ({@link dev.stratus.algorithms.builtin.HyperparameterRules}),
 * SageMaker's metric lines ({@link dev.stratus.algorithms.builtin.QualityMetric}) and the model files of
 * the algorithms played by Tribuo ({@link dev.stratus.algorithms.builtin.TribuoModels}). Public for those
 * packages, not part of the container-contract API in {@code dev.stratus.algorithms}.
 */
package dev.stratus.algorithms.builtin;
