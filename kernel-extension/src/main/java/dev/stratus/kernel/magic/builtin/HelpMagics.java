package dev.stratus.kernel.magic.builtin;

import java.util.List;
import java.util.Set;

import dev.stratus.kernel.magic.Magic;
import dev.stratus.kernel.magic.MagicRegistry;
import io.github.spencerpark.jupyter.kernel.display.DisplayDataRenderable;
import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;

/** {@code %lsmagic} and {@code %help}: what magics there are and how to use each. */
public final class HelpMagics {

    private HelpMagics() {
    }

    public static List<Magic> create(MagicRegistry registry) {
        Magic lsmagic = Magic.builder("lsmagic")
                .summary("List every magic with a one-line description")
                .usage("%lsmagic\n\n%help NAME or %NAME --help shows how to use one.")
                .line(args -> new MagicTable(registry.all()))
                .build();
        Magic help = Magic.builder("help")
                .summary("Show how to use a magic")
                .usage("%help NAME    (NAME with or without its % signs)\n%help         (the same list as %lsmagic)")
                .line(args -> {
                    if (args.isEmpty()) {
                        return new MagicTable(registry.all());
                    }
                    if (args.words().size() > 1) {
                        throw new IllegalArgumentException("%help takes one magic name, for example %help time");
                    }
                    String name = args.words().get(0).replaceFirst("^%{1,2}", "");
                    return new MagicRegistry.Help(registry.find(name).help());
                })
                .build();
        return List.of(lsmagic, help);
    }

    /** The magics as a table: aligned text, or HTML for front ends that show it. */
    public record MagicTable(List<Magic> magics) implements DisplayDataRenderable {

        @Override
        public Set<MIMEType> getSupportedRenderTypes() {
            return Set.of(MIMEType.TEXT_PLAIN, MIMEType.TEXT_HTML);
        }

        @Override
        public Set<MIMEType> getPreferredRenderTypes() {
            return Set.of(MIMEType.TEXT_PLAIN, MIMEType.TEXT_HTML);
        }

        @Override
        public void render(RenderContext context) {
            context.renderIfRequested(MIMEType.TEXT_PLAIN, this::toString);
            context.renderIfRequested(MIMEType.TEXT_HTML, this::html);
        }

        private static String forms(Magic m) {
            return (m.line() != null ? "%" + m.name() : "") + (m.line() != null && m.cell() != null ? " " : "")
                    + (m.cell() != null ? "%%" + m.name() : "");
        }

        private String html() {
            StringBuilder html = new StringBuilder("<table><thead><tr><th>Magic</th><th>What it does</th></tr></thead><tbody>");
            for (Magic m : magics) {
                html.append("<tr><td><code>").append(escape(forms(m))).append("</code></td><td>")
                        .append(escape(m.summary())).append("</td></tr>");
            }
            return html.append("</tbody></table>").toString();
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }

        @Override
        public String toString() {
            int width = magics.stream().mapToInt(m -> forms(m).length()).max().orElse(0);
            StringBuilder text = new StringBuilder("Available magics (%help NAME for details):\n");
            for (Magic m : magics) {
                text.append(String.format("  %-" + width + "s  %s%n", forms(m), m.summary()));
            }
            return text.toString().stripTrailing();
        }
    }
}
