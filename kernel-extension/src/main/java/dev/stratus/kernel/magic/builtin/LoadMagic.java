package dev.stratus.kernel.magic.builtin;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import dev.stratus.kernel.magic.Magic;

/** {@code %load FILE}: run a .jsh or .java file in the notebook namespace, as if it were a cell. */
public final class LoadMagic {

    private LoadMagic() {
    }

    public static Magic create(CellRunner cells) {
        return Magic.builder("load")
                .summary("Run a .jsh or .java file in the notebook namespace")
                .usage("%load FILE\n\nDeclarations in the file stay defined; the value of its last expression is returned.")
                .line(args -> {
                    if (args.words().size() != 1) {
                        throw new IllegalArgumentException("%load takes one file, for example %load helpers.jsh");
                    }
                    Path file = Path.of(args.words().get(0));
                    String name = file.getFileName().toString();
                    if (!name.endsWith(".jsh") && !name.endsWith(".java")) {
                        throw new IllegalArgumentException("%load runs .jsh or .java files; " + file + " is neither");
                    }
                    String source;
                    try {
                        source = Files.readString(file);
                    } catch (NoSuchFileException e) {
                        throw new IllegalArgumentException("%load: " + file.toAbsolutePath() + " does not exist: check the path");
                    }
                    return cells.run(source, 0);
                })
                .build();
    }
}
