package org.postalfunds.testnetwork;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which chaincode jar a test run deploys: the production one, unless the run names another (the benchmark's). */
class ChaincodeJarTest {
    private final String before = System.getProperty(NetworkScripts.CHAINCODE_JAR_PROPERTY);
    private final NetworkScripts scripts = new NetworkScripts(Path.of("/project"));

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(NetworkScripts.CHAINCODE_JAR_PROPERTY);
        } else {
            System.setProperty(NetworkScripts.CHAINCODE_JAR_PROPERTY, before);
        }
    }

    @Test
    void a_run_that_names_no_jar_deploys_the_production_chaincode() {
        System.clearProperty(NetworkScripts.CHAINCODE_JAR_PROPERTY);

        assertThat(scripts.requestedChaincodeJar()).isEmpty();
        assertThat(scripts.chaincodeJar()).isEqualTo(Path.of("/project/chaincode/target/chaincode.jar"));
    }

    @Test
    void a_run_that_names_a_jar_deploys_it_from_the_project_root() {
        System.setProperty(NetworkScripts.CHAINCODE_JAR_PROPERTY, "chaincode-bench/target/chaincode-bench.jar");

        assertThat(scripts.requestedChaincodeJar()).hasValue(Path.of("/project/chaincode-bench/target/chaincode-bench.jar"));
        assertThat(scripts.chaincodeJar()).isEqualTo(Path.of("/project/chaincode-bench/target/chaincode-bench.jar"));
    }

    @Test
    void a_blank_name_is_no_name() {
        System.setProperty(NetworkScripts.CHAINCODE_JAR_PROPERTY, " ");

        assertThat(scripts.requestedChaincodeJar()).isEmpty();
    }
}
