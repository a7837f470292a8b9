using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Tests.Manifests;

/// <summary>
/// docs/metrics.md lists exactly the instruments the library creates, under the names and types Prometheus
/// shows. (Names and types only: the fuller test of issue 13, which records labels through an election, a
/// health round, a backup and an update, is still to come.)
/// </summary>
public sealed class MetricsDocTests
{
    [Fact]
    public void The_doc_lists_every_instrument_as_prometheus_names_it_and_nothing_else()
    {
        using var metrics = new HaMetrics();
        _ = new HealthMetrics(metrics.Meter);
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            // By reference, not by name: other tests create meters named HaTelemetry.Name in parallel.
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter))
                {
                    published.Add(instrument);
                }
            },
        };
        listener.Start();

        Assert.Equal(HaTelemetry.Name, metrics.Meter.Name);
        var created = published.Select(i => (Name: PrometheusName(i), Type: PrometheusType(i))).OrderBy(i => i.Name).ToList();
        Assert.NotEmpty(created);
        Assert.Equal(created, KnownMetrics.Documented(planned: false).OrderBy(r => r.Name).ToList());
    }

    [Theory]
    [InlineData("roost_keeper.a.duration", "s", "histogram", "roost_keeper_a_duration_seconds")]
    [InlineData("roost_keeper.a.changes", "{change}", "counter", "roost_keeper_a_changes_total")]
    [InlineData("roost_keeper.a.is_leader", "{leader}", "gauge", "roost_keeper_a_is_leader")]
    public void Prometheus_names_follow_the_exporter_conventions(string instrument, string unit, string type, string expected)
    {
        Assert.Equal(expected, PrometheusName(instrument, unit, type));
    }

    private static string PrometheusType(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<double> or ObservableCounter<long> => "counter",
        Histogram<double> or Histogram<long> => "histogram",
        _ => "gauge",
    };

    private static string PrometheusName(Instrument instrument) => PrometheusName(instrument.Name, instrument.Unit, PrometheusType(instrument));

    /// <summary>The OpenTelemetry Prometheus exporter's rules for the units used here: dots to underscores,
    /// "s" to a _seconds suffix, annotations in braces dropped, _total on counters.</summary>
    private static string PrometheusName(string instrument, string? unit, string type)
    {
        var name = instrument.Replace('.', '_');
        if (unit == "s")
        {
            name += "_seconds";
        }

        return type == "counter" ? name + "_total" : name;
    }
}
