namespace RoostKeeper.Ha.Tests.Diagnostics;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("roost_keeper.a.duration", "s", "histogram", "roost_keeper_a_duration_seconds")]
    [InlineData("roost_keeper.a.changes", "{change}", "counter", "roost_keeper_a_changes_total")]
    [InlineData("roost_keeper.a.is_leader", "{leader}", "gauge", "roost_keeper_a_is_leader")]
    [InlineData("roost_keeper.a.bytes", "By", "counter", "roost_keeper_a_bytes_total")]
    [InlineData("roost_keeper.a.written", "By", "counter", "roost_keeper_a_written_bytes_total")]
    [InlineData("roost_keeper.a.last.time", "s", "gauge", "roost_keeper_a_last_time_seconds")]
    [InlineData("roost_keeper.a.share", "1", "gauge", "roost_keeper_a_share_ratio")]
    [InlineData("roost_keeper.a..b", null, "counter", "roost_keeper_a_b_total")]
    public void Names_follow_the_OpenTelemetry_Prometheus_exporter(string instrument, string? unit, string type, string expected)
    {
        Assert.Equal(expected, PrometheusNaming.Name(instrument, unit, type));
    }

    [Fact]
    public void A_doc_row_gives_its_label_keys_without_the_example_values_in_parentheses()
    {
        var rows = MetricsDoc.Rows("""
            | Prometheus name | Type | Unit | Labels | Instrument | Meaning |
            | --- | --- | --- | --- | --- | --- |
            | `roost_keeper_x_total` | counter | `{x}` | `operation` (`acquire`, `renew`), `lease` | `HaInstruments.X` | Xs. |
            | `roost_keeper_y_seconds` | gauge | `s` | none | `HaInstruments.Y` | A time. |
            """);

        Assert.Equal(2, rows.Count);
        Assert.Equal(("roost_keeper_x_total", "counter", "{x}", "X"), (rows[0].Name, rows[0].Type, rows[0].Unit, rows[0].Constant));
        Assert.Equal(["lease", "operation"], rows[0].LabelKeys);
        Assert.Empty(rows[1].LabelKeys);
        Assert.Equal("Y", rows[1].Constant);
    }
}
