/**
 * Script mode for Java: the launcher behind the Stratus Java image, which fetches a user's jars (as SageMaker's
 * framework containers fetch a user's scripts) and trains or serves with the class they name.
 */
package dev.stratus.algorithms.scriptmode;
