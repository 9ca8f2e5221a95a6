package dev.stratus.kernel.ijava;

import dev.stratus.kernel.extension.Extension;
import dev.stratus.kernel.extension.KernelHost;
import dev.stratus.kernel.magic.Magic;

/** A test extension, registered in META-INF/services of the test class path. */
public final class GreetingExtension implements Extension {

    /** A type the extension knows how to show as HTML. */
    public record Greeting(String name) {
    }

    @Override
    public void install(KernelHost kernel) {
        kernel.registerMagic(Magic.builder("greet").summary("Greet someone").usage("%greet NAME")
                .line(args -> new Greeting(String.join(" ", args.words())))
                .cell((args, body) -> new Greeting(body.strip()))
                .build());
        kernel.renderer().createRegistration(Greeting.class)
                .preferring("text/html")
                .register((greeting, context) -> context.renderIfRequested(
                        io.github.spencerpark.jupyter.kernel.display.mime.MIMEType.TEXT_HTML,
                        () -> "<b>Hello, " + greeting.name() + "</b>"));
        kernel.addStartupCode("import dev.stratus.kernel.ijava.GreetingExtension.Greeting;");
    }
}
