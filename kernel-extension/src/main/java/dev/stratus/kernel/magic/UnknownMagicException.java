package dev.stratus.kernel.magic;

import java.util.List;

/** A cell named a magic that is not registered; the message names the closest ones. */
public final class UnknownMagicException extends IllegalArgumentException {

    UnknownMagicException(String prefix, String name, List<String> closest) {
        super(prefix + name + " is not a magic: "
                + (closest.isEmpty() ? "" : "did you mean " + String.join(" or ", closest.stream().map(n -> prefix + n).toList()) + "? ")
                + "%lsmagic lists them all");
    }
}
