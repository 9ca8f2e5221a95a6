package dev.stratus.cloud.server;

/**
 * Where a signature says it is for: the credential scope of its Authorization header.
 *
 * @param date yyyyMMdd, as written in the scope
 */
public record CredentialScope(String accessKeyId, String date, String region, String service) { }
