package org.postalfunds.testnetwork;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the real Fabric network of {@code test-network/*.sh}: the consortium of
 * {@code network/consortium.json} running as native processes, the chaincode deployed. Test methods and
 * constructors may take a {@link NetworkDescription} parameter for its endpoints, TLS roots and identities.
 *
 * <p>The network starts once per test run (the first class that needs it starts it, later classes reuse it)
 * and is torn down when the run ends. A network already running when the run starts (as {@code ./test.sh}
 * starts it) is used as it is and left to its owner. Tests share one ledger: name meters and request ids
 * uniquely per test.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(PostalNetworkExtension.class)
@Tag("network")
public @interface PostalNetwork {
}
