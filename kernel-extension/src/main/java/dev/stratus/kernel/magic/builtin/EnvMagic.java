package dev.stratus.kernel.magic.builtin;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.stratus.kernel.PrivateFields;
import dev.stratus.kernel.magic.Magic;

/**
 * {@code %env}: list, read or set environment variables of the kernel, as IPython's does.
 * Setting changes what {@code System.getenv} and child processes see (the AWS SDK reads its
 * region and credentials from there). Secret-looking values are never shown in full.
 */
public final class EnvMagic {

    private static final Pattern SECRET = Pattern.compile("(?i).*(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|_KEY$|^KEY$).*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvMagic() {
    }

    public static Magic create() {
        return Magic.builder("env")
                .summary("List, get or set environment variables (secret values are masked)")
                .usage("%env                 lists all variables\n%env NAME            the value of NAME\n"
                        + "%env NAME=VALUE      sets NAME for this kernel and the processes it starts\n%env NAME VALUE      the same")
                .line(args -> {
                    var words = args.words();
                    if (words.isEmpty()) {
                        return new TreeMap<>(System.getenv()).entrySet().stream()
                                .map(e -> e.getKey() + "=" + shown(e.getKey(), e.getValue()))
                                .collect(Collectors.joining("\n"));
                    }
                    if (words.size() == 1 && !words.get(0).contains("=")) {
                        String value = System.getenv(checkedName(words.get(0)));
                        if (value == null) {
                            throw new IllegalArgumentException("environment variable " + words.get(0)
                                    + " is not set: set it with %env " + words.get(0) + "=VALUE");
                        }
                        return shown(words.get(0), value);
                    }
                    String name;
                    String value;
                    if (words.size() == 1) {
                        name = words.get(0).substring(0, words.get(0).indexOf('='));
                        value = words.get(0).substring(words.get(0).indexOf('=') + 1);
                    } else if (words.size() == 2) {
                        name = words.get(0);
                        value = words.get(1);
                    } else {
                        throw new IllegalArgumentException("%env takes NAME, NAME=VALUE or NAME VALUE; quote a value with spaces");
                    }
                    set(checkedName(name), value);
                    System.out.println("env: " + name + "=" + shown(name, value));
                    return null;
                })
                .build();
    }

    /** A secret's value shows its first 4 characters at most, so that it can be recognised but not copied. */
    static String shown(String name, String value) {
        if (!SECRET.matcher(name).matches()) {
            return value;
        }
        return value.length() <= 8 ? "****" : value.substring(0, 4) + "****";
    }

    private static String checkedName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a variable name: use letters, digits and _");
        }
        return name;
    }

    @SuppressWarnings("unchecked")
    private static void set(String name, String value) {
        Map<String, String> environment = System.getenv();
        try {
            // System.getenv() wraps the JVM's live environment map; writing through the wrapper
            // updates what getenv() and new processes see.
            ((Map<String, String>) PrivateFields.open(environment.getClass(), "m").get(environment)).put(name, value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("%env cannot set variables in this JVM (" + e.getClass().getSimpleName()
                    + "): start it with --add-opens=java.base/java.util=ALL-UNNAMED, as the Stratus kernelspec does");
        }
    }
}
