package org.postalfunds.client.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.LocalDate;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.client.Money;

/** The policy file and the grant book: exact amounts, strict fields, bounded sizes, idempotent records. */
class WatchPolicyTest {

    @Test
    void a_policy_reads_amounts_in_currency_units_into_minor_units() {
        WatchPolicy policy = WatchPolicy.parse("{\"meterId\":\"meter-D\",\"distributor\":{\"recipients\":[{\"meterId\":"
                + "\"meter-R1\",\"maxPerRequest\":\"12.34\",\"maxPerDay\":\"100\"}],\"maxPerDay\":\"250.50\"},"
                + "\"recipient\":{\"donors\":[\"meter-X\",\"meter-Y\"]}}", Money.CENTS);

        WatchPolicy.Distributor distributor = policy.distributor().orElseThrow();
        assertThat(distributor.recipients().get("meter-R1").maxPerRequestMinorUnits()).isEqualTo(1_234);
        assertThat(distributor.recipients().get("meter-R1").maxPerDayMinorUnits()).isEqualTo(10_000);
        assertThat(distributor.maxPerDayMinorUnits()).isEqualTo(25_050);
        assertThat(distributor.escrowWindow()).isEqualTo(Duration.ofHours(72));
        assertThat(distributor.denyOverLimit()).isFalse();
        assertThat(policy.recipient().orElseThrow().donors()).containsExactly("meter-X", "meter-Y");
    }

    @Test
    void a_policy_with_a_misspelt_field_a_fractional_cent_or_nothing_to_do_is_refused_with_the_reason() {
        assertThatThrownBy(() -> WatchPolicy.parse("{\"meterId\":\"m\",\"recipient\":{\"donor\":[\"x\"]}}", Money.CENTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("donor");
        assertThatThrownBy(() -> WatchPolicy.parse("{\"meterId\":\"m\",\"distributor\":{\"recipients\":[{\"meterId\":"
                + "\"r\",\"maxPerRequest\":\"1.005\",\"maxPerDay\":\"2\"}],\"maxPerDay\":\"5\"}}", Money.CENTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recipient r: maxPerRequest")
                .hasMessageContaining("decimal places");
        assertThatThrownBy(() -> WatchPolicy.parse("{\"meterId\":\"m\"}", Money.CENTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("distributor");
        assertThatThrownBy(() -> WatchPolicy.parse("{\"meterId\":\"m\",\"distributor\":{\"recipients\":[{\"meterId\":"
                + "\"r\",\"maxPerRequest\":\"1\",\"maxPerDay\":\"2\"}],\"maxPerDay\":\"5\",\"escrowHours\":721}}", Money.CENTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("escrowHours");
    }

    @Test
    void the_grant_book_counts_a_transfer_once_and_survives_a_restart(@TempDir final Path directory) throws Exception {
        Path file = directory.resolve("grants.json");
        LocalDate day = LocalDate.of(2026, 3, 2);
        GrantBook book = GrantBook.open(file);
        book.record(new GrantBook.Grant("t1", "meter-R1", 500, day));
        book.record(new GrantBook.Grant("t1", "meter-R1", 500, day));
        book.record(new GrantBook.Grant("t2", "meter-R2", 300, day));

        GrantBook reopened = GrantBook.open(file);

        assertThat(reopened.grantedOn(day)).isEqualTo(800);
        assertThat(reopened.grantedOn(day, "meter-R1")).isEqualTo(500);
        assertThat(reopened.grantedOn(day.plusDays(1))).isZero();
        assertThat(reopened.grant("t2")).hasValueSatisfying(g -> assertThat(g.amountMinorUnits()).isEqualTo(300));
    }

    @Test
    void the_grant_book_forgets_days_that_can_no_longer_be_asked_about(@TempDir final Path directory) throws Exception {
        GrantBook book = GrantBook.open(directory.resolve("grants.json"));
        LocalDate day = LocalDate.of(2026, 3, 2);
        book.record(new GrantBook.Grant("old", "meter-R1", 500, day));
        book.record(new GrantBook.Grant("new", "meter-R1", 700, day.plusDays(2)));

        assertThat(book.grant("old")).isEmpty();
        assertThat(book.grantedOn(day.plusDays(2))).isEqualTo(700);
    }
}
