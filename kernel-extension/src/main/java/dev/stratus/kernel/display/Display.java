package dev.stratus.kernel.display;

import java.util.Base64;
import java.util.UUID;

import dev.stratus.kernel.PrivateFields;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.DisplayStream;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.display.common.Text;
import io.github.spencerpark.jupyter.messages.publish.PublishClearOutput;

/**
 * The display API of the notebook namespace (statically imported into every session):
 * {@code display(obj)} shows a value now, {@code updateDisplay(id, obj)} replaces what an
 * earlier display showed, so progress bars and live charts update in place, and
 * {@code clearOutput()} clears the cell's output.
 */
public final class Display {

    private static volatile BaseKernel kernel;

    private Display() {
    }

    /** Set by the kernel at start; any basekernel kernel (IJava's too) can host the API. */
    public static void bind(BaseKernel host) {
        kernel = host;
    }

    /** The renderers every Stratus kernel starts with: images and text in any text MIME type. */
    public static void registerStandardRenderers(Renderer renderer) {
        Image.registerAll(renderer);
        Text.registerAll(renderer);
    }

    /** Shows {@code value} with its best renderings; returns the display id for {@link #updateDisplay}. */
    public static String display(Object value) {
        return publish(host().getRenderer().render(value));
    }

    /** Shows {@code value} as the given MIME types (for example "text/html"); returns the display id. */
    public static String display(Object value, String... mimeTypes) {
        return publish(host().getRenderer().renderAs(value, mimeTypes));
    }

    /** Replaces what the display with this id shows. */
    public static void updateDisplay(String displayId, Object value) {
        host().getIO().display.updateDisplay(displayId, host().getRenderer().render(value));
    }

    /** Replaces what the display with this id shows, rendered as the given MIME types. */
    public static void updateDisplay(String displayId, Object value, String... mimeTypes) {
        host().getIO().display.updateDisplay(displayId, host().getRenderer().renderAs(value, mimeTypes));
    }

    /** Clears the running cell's output now, as IPython's {@code clear_output()}. */
    public static void clearOutput() {
        clearOutput(false);
    }

    /**
     * Clears the running cell's output; with {@code wait}, only when its next output arrives, so that a loop that
     * redraws does not flicker. What the cell printed before goes first.
     */
    public static void clearOutput(boolean wait) {
        System.out.flush();
        System.err.flush();
        ShellReplyEnvironment cell = runningCell(host().getIO().display);
        if (cell != null) {
            cell.publish(wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW);
        }
    }

    public static Rich html(String html) {
        return new Rich("text/html", html, "HTML");
    }

    public static Rich markdown(String markdown) {
        return new Rich("text/markdown", markdown, markdown);
    }

    public static Rich svg(String svg) {
        return new Rich("image/svg+xml", svg, "SVG image");
    }

    /** A JSON document, shown as a tree by front ends that render application/json. */
    public static Rich json(String json) {
        return new Rich("application/json", json, json);
    }

    public static Rich png(byte[] png) {
        return new Rich("image/png", Base64.getEncoder().encodeToString(png), "PNG image");
    }

    private static String publish(DisplayData data) {
        String id = UUID.randomUUID().toString();
        data.setDisplayId(id);
        host().display(data);
        return id;
    }

    /**
     * The running cell's reply environment, which basekernel's display stream keeps to itself (it publishes display
     * data only); null between cells, when, as for display, there is nothing to clear.
     */
    private static ShellReplyEnvironment runningCell(DisplayStream display) {
        try {
            return (ShellReplyEnvironment) PrivateFields.open(DisplayStream.class, "env").get(display);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("clearOutput needs basekernel 2.3's display stream: " + e, e);
        }
    }

    private static BaseKernel host() {
        BaseKernel host = kernel;
        if (host == null) {
            throw new IllegalStateException("display needs a running Jupyter kernel: none is bound in this JVM");
        }
        return host;
    }
}
