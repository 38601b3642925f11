package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void csv_quotes_what_needs_quoting_and_never_lets_a_spreadsheet_run_ledger_text_as_a_formula() {
        Table table = new Table("t", "caption", "meter", "reason", "amount");
        table.add(Table.Cell.text("meter-A1"), Table.Cell.text("=HYPERLINK(\"http://x\")"), Table.Cell.number("-2.50", -250));
        table.add(Table.Cell.text("meter-B1"), Table.Cell.text("jammed, re-printed\nnext day"), Table.Cell.number("1.00", 100));
        table.add(Table.Cell.text("@SUM(A1)"), Table.Cell.text("+1"), Table.Cell.count(3));

        assertThat(table.csv()).isEqualTo("meter,reason,amount\r\n"
                + "meter-A1,\"'=HYPERLINK(\"\"http://x\"\")\",-2.50\r\n"
                + "meter-B1,\"jammed, re-printed\nnext day\",1.00\r\n"
                + "'@SUM(A1),'+1,3\r\n");
    }

    @Test
    void html_escapes_every_cell_and_carries_the_raw_numbers_for_charts_and_the_export_link() {
        Table table = new Table("flows", "Flows <all>", "from", "amount").keyedBy("meter");
        table.add("m<1>", null, Table.Cell.link("<b>", "/meters/<b>"), Table.Cell.number("0.85", 85));

        assertThat(table.html("/flows?export=flows")).contains("<caption>Flows &lt;all&gt; <a class=\"export\" "
                + "href=\"/flows?export=flows\" download id=\"export-flows\">CSV</a></caption>")
                .contains("<th scope=\"col\">from</th>").contains("<tr data-meter=\"m&lt;1&gt;\">")
                .contains("<a href=\"/meters/&lt;b&gt;\">&lt;b&gt;</a>").contains("<td class=\"num\" data-value=\"85\">0.85</td>");
    }

    @Test
    void a_row_must_fill_every_column_and_ids_are_tokens() {
        Table table = new Table("t", "c", "a", "b");
        assertThatThrownBy(() -> table.addText("only one")).hasMessageContaining("a row of 1 cells for 2 columns");
        assertThatThrownBy(() -> new Table("Bad Id", "c", "a")).hasMessageContaining("lower-case tokens");
    }

    @Test
    void the_export_link_keeps_the_pages_query_and_replaces_an_earlier_export() {
        Exports exports = new Exports("/flows", java.util.Map.of("org", java.util.List.of("MailerAMSP"),
                "export", java.util.List.of("old")));

        assertThat(exports.href("flow-links", "csv")).isEqualTo("/flows?org=MailerAMSP&export=flow-links");
        assertThat(exports.href("report", "json")).isEqualTo("/flows?org=MailerAMSP&export=report&format=json");
    }
}
