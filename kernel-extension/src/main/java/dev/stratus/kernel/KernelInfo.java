package dev.stratus.kernel;

import java.util.List;

import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;

/**
 * basekernel's {@code kernel_info_reply} with the {@code "status": "ok"} that the messaging spec gives every reply:
 * basekernel leaves it out, and strict clients (jupyter_kernel_test's schema) refuse the reply without it.
 */
final class KernelInfo extends KernelInfoReply {

    /** Written by Gson, which reads fields. */
    @SuppressWarnings("unused")
    private final String status = "ok";

    KernelInfo(String implementation, String implementationVersion, LanguageInfo language, String banner,
            List<LanguageInfo.Help> helpLinks) {
        super("5.3", implementation, implementationVersion, language, banner, helpLinks);
    }
}
