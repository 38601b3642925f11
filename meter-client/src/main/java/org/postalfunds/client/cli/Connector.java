package org.postalfunds.client.cli;

import java.io.IOException;
import java.security.GeneralSecurityException;

/** Opens a {@link Session} for a profile: through a peer gateway in real use, in-process in tests. */
@FunctionalInterface
public interface Connector {
    Session open(Profile profile) throws BadInputException, IOException, GeneralSecurityException;
}
