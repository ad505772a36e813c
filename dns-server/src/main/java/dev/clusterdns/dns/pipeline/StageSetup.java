package dev.clusterdns.dns.pipeline;

import java.util.Optional;

/**
 * Turns one stage's settings into the stage (a CoreDNS plugin's setup function). Each stage package
 * has one; {@link Pipeline#assemble} runs them in {@link StageOrder}. Settings are checked here, so
 * a bad value fails start-up with the flag's name before anything binds.
 */
public interface StageSetup {

    /** The stage's name, one of {@link StageOrder#NAMES}. */
    String name();

    /** The stage and what to close with it; empty when the settings leave the stage out. */
    Optional<SetupResult> setup(SetupContext context) throws Exception;
}
