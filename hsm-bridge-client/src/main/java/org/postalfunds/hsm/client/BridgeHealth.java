package org.postalfunds.hsm.client;

import java.time.Duration;

/**
 * What the bridge says about itself and about the caller.
 *
 * @param serving true while the token is present and logged in
 * @param tokenLabel the label of the bridge's token
 * @param meterKeyCount meter keys in the token
 * @param uptime time since the bridge started
 * @param callerSubject the caller's certificate subject as the bridge read it
 * @param callerRole "meter" or "operator"
 * @param detail why the bridge is not serving, or empty
 */
public record BridgeHealth(boolean serving, String tokenLabel, int meterKeyCount, Duration uptime,
        String callerSubject, String callerRole, String detail) {
}
