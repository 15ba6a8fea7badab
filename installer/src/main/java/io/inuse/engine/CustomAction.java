package io.inuse.engine;

import io.inuse.engine.session.Session;

/** One custom action's work. Throw {@link UserExitException} when the person chose to cancel. */
@FunctionalInterface
public interface CustomAction {
    void run(Session session) throws Exception;
}
