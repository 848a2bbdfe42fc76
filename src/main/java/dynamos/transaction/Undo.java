package dynamos.transaction;

import dynamos.framework.Framework;

/** Takes one done step back; returns a note for the user, or throws saying why it could not. */
@FunctionalInterface
public interface Undo {
    String run(Framework fw);
}
