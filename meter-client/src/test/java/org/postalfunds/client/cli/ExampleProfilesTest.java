package org.postalfunds.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.Money;
import org.postalfunds.client.watch.WatchPolicy;

/** The templates in meter-client/examples stay valid as the formats evolve. */
class ExampleProfilesTest {
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void the_example_profiles_parse_with_their_signers_and_resolved_paths() throws Exception {
        Profile dataCenter = Profile.load(EXAMPLES.resolve("datacenter-profile.json"));
        Profile meter = Profile.load(EXAMPLES.resolve("meter-profile.json"));

        assertThat(dataCenter.mspId()).isEqualTo("DataCenterMSP");
        assertThat(dataCenter.privateKey()).isAbsolute().endsWithRaw(Path.of("users", "operator", "key.pem"));
        assertThat(dataCenter.hsmBridge()).isNull();
        assertThat(meter.meter()).hasValue("meter-A1");
        assertThat(meter.privateKey()).isNull();
        assertThat(meter.hsmBridge().port()).isEqualTo(7443);
        assertThat(meter.channel()).isEqualTo("postal");
        assertThat(meter.money().format(12_345)).isEqualTo("123.45");
    }

    @Test
    void the_example_distributor_policy_parses() throws Exception {
        WatchPolicy policy = WatchPolicy.parse(Files.readString(EXAMPLES.resolve("distributor-policy.json")), Money.CENTS);

        assertThat(policy.meterId()).isEqualTo("meter-B1");
        assertThat(policy.distributor().orElseThrow().recipients()).containsOnlyKeys("meter-A1", "meter-C1");
        assertThat(policy.recipient().orElseThrow().donors()).containsExactly("meter-C1");
    }
}
