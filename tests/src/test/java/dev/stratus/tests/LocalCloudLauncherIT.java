package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.stratus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ./stratus local start|status|env|stop, and the AWS CLI configured only by what 'env' prints. */
class LocalCloudLauncherIT {

    @TempDir
    Path home;

    @AfterEach
    void stop() {
        stratus("local", "stop", "--home", home.toString());
    }

    @Test
    void startStatusEnvAndStop() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Jupyter.ProcessResult start = stratus("local", "start", "--home", home.toString(), "--port", Integer.toString(port));
        assertEquals(0, start.exitCode(), start.outputTail());
        assertTrue(start.stdout().contains("local cloud running on http://127.0.0.1:" + port), start.stdout());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("credentials"))));
        Jupyter.ProcessResult again = stratus("local", "start", "--home", home.toString(), "--port", Integer.toString(port));
        assertTrue(again.stdout().contains("already runs"), again.stdout());
        Path otherHome = home.resolve("other");
        Jupyter.ProcessResult taken = stratus("local", "start", "--home", otherHome.toString(), "--port", Integer.toString(port));
        assertEquals(1, taken.exitCode(), taken.outputTail());
        assertTrue(taken.stderr().contains("port " + port + " is taken by another local cloud (home " + home + "): choose another --port"),
                taken.stderr());
        assertFalse(Files.exists(otherHome.resolve("local-cloud.pid")), "a pid file for a server that is not running");

        Jupyter.ProcessResult status = stratus("local", "status", "--home", home.toString());
        assertEquals(0, status.exitCode(), status.outputTail());
        assertTrue(status.stdout().contains("uptime: "), status.stdout());
        assertTrue(status.stdout().contains("training jobs: none"), status.stdout());

        Jupyter.ProcessResult env = stratus("local", "env", "--home", home.toString());
        Map<String, String> settings = new HashMap<>();
        for (String line : env.stdout().strip().split("\n")) {
            String assignment = line.replaceFirst("^export ", "");
            settings.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1).replace("'", ""));
        }
        assertEquals("http://127.0.0.1:" + port, settings.get("AWS_ENDPOINT_URL"));
        assertTrue(settings.get("AWS_ACCESS_KEY_ID").startsWith("AKIA"));
        assertEquals(40, settings.get("AWS_SECRET_ACCESS_KEY").length());
        assertFalse(Files.readString(home.resolve("local-cloud.log")).contains(settings.get("AWS_SECRET_ACCESS_KEY")),
                "the server never logs the secret");

        // The AWS CLI from Debian, configured only by those settings (it predates AWS_ENDPOINT_URL, so --endpoint-url).
        Map<String, String> awsEnv = new HashMap<>(settings);
        awsEnv.put("AWS_CONFIG_FILE", home.resolve("none").toString());
        awsEnv.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("none").toString());
        Jupyter.ProcessResult mb = Jupyter.exec(List.of("/usr/bin/aws", "--endpoint-url", settings.get("AWS_ENDPOINT_URL"),
                "s3", "mb", "s3://from-env"), awsEnv, home, Duration.ofMinutes(2));
        assertEquals(0, mb.exitCode(), mb.outputTail());
        Jupyter.ProcessResult identity = Jupyter.exec(List.of("/usr/bin/aws", "--endpoint-url", settings.get("AWS_ENDPOINT_URL"),
                "sts", "get-caller-identity", "--output", "text", "--query", "Account"), awsEnv, home, Duration.ofMinutes(2));
        assertEquals("000000000000", identity.stdout().strip(), identity.outputTail());

        Jupyter.ProcessResult stop = stratus("local", "stop", "--home", home.toString());
        assertEquals(0, stop.exitCode(), stop.outputTail());
        Jupyter.ProcessResult stopped = stratus("local", "status", "--home", home.toString());
        assertEquals(3, stopped.exitCode(), stopped.outputTail());
        assertTrue(stopped.stdout().contains("not running"), stopped.stdout());
    }

    @Test
    void badLocalInvocationsGetOneClearLine() {
        for (List<String> args : List.of(List.of("local", "launch"), List.of("local", "start", "--port", "99999"),
                List.of("local", "stop", "--port", "1"))) {
            Jupyter.ProcessResult bad = stratus(args.toArray(String[]::new));
            assertEquals(2, bad.exitCode(), args + ": " + bad.outputTail());
            assertEquals(1, bad.stderr().strip().lines().count(), bad.stderr());
        }
        Jupyter.ProcessResult noHome = stratus("local", "env", "--home", home.resolve("never-started").toString());
        assertEquals(1, noHome.exitCode());
        assertTrue(noHome.stderr().contains("start it with ./stratus local start"), noHome.stderr());
    }
}
