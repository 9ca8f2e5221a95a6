package dev.stratus.cloud.training;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.stratus.cloud.CloudHome;

/**
 * What every container process (training host or endpoint instance) starts with: a few of the
 * server's own variables, and the local endpoint with credentials handed to it, never the
 * server's credentials file. Callers add the job's or model's variables on top.
 */
public final class ContainerEnvironment {

    private ContainerEnvironment() {
    }

    public static Map<String, String> base(URI endpoint, CloudHome.Credentials credentials, String region) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String inherited : List.of("PATH", "HOME", "LANG", "JAVA_HOME", "TMPDIR", "OMP_WAIT_POLICY")) {
            String value = System.getenv(inherited);
            if (value != null) {
                environment.put(inherited, value);
            }
        }
        environment.put("AWS_ENDPOINT_URL", endpoint.toString());
        environment.put("AWS_ACCESS_KEY_ID", credentials.accessKeyId());
        environment.put("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
        environment.put("AWS_REGION", region);
        environment.put("AWS_DEFAULT_REGION", region);
        // XGBoost's OpenMP threads spin by default: about 8x slower on two shared cores (measured-here.md).
        environment.putIfAbsent("OMP_WAIT_POLICY", "passive");
        return environment;
    }

    /** A port on 127.0.0.1 that nothing listens on now, for a container to listen on. */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
