package dev.stratus.kernel.display;

import java.util.Set;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.github.spencerpark.jupyter.kernel.display.DisplayDataRenderable;
import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;

/** Content in one MIME type, with a text/plain fallback for front ends that cannot show it. */
public final class Rich implements DisplayDataRenderable {

    private final MIMEType type;
    private final String content;
    private final String plainText;

    public Rich(String mimeType, String content, String plainText) {
        this.type = MIMEType.parse(mimeType);
        this.content = content;
        this.plainText = plainText;
        if (type.equals(MIMEType.APPLICATION_JSON)) {
            requireJson(content);
        }
    }

    /** Fails where the JSON is written, not later in the front end. */
    private static void requireJson(String content) {
        try {
            new JsonParser().parse(content);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("json(...) needs a valid JSON document: " + e.getMessage());
        }
    }

    public String mimeType() {
        return type.toString();
    }

    public String content() {
        return content;
    }

    @Override
    public Set<MIMEType> getSupportedRenderTypes() {
        return Set.of(type, MIMEType.TEXT_PLAIN);
    }

    @Override
    public Set<MIMEType> getPreferredRenderTypes() {
        return Set.of(type);
    }

    @Override
    public void render(RenderContext context) {
        if (type.equals(MIMEType.APPLICATION_JSON)) {
            // Front ends want the JSON document itself, not a string holding it.
            context.renderIfRequested(type, () -> new JsonParser().parse(content));
        } else {
            context.renderIfRequested(type, () -> content);
        }
        context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> plainText);
    }

    @Override
    public String toString() {
        return plainText;
    }
}
