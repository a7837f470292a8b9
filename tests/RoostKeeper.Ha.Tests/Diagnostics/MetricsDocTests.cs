using System.Reflection;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Tests.Diagnostics;

/// <summary>
/// docs/metrics.md lists exactly the instruments a controller's life records (<see cref="ControllerTour"/>: an
/// election, health rounds, Lease failures, reconciles, a backup, a validation, a restore, rolling updates that
/// succeed, roll back and fail), each under its Prometheus name, with its type, unit and label keys, and each
/// named by a <see cref="HaInstruments"/> constant; and every constant is an instrument.
/// </summary>
[Collection(ControllerTourCollection.Name)]
public sealed class MetricsDocTests(ControllerTour tour)
{
    [Fact]
    public void The_doc_lists_every_recorded_instrument_with_its_type_unit_and_labels_and_nothing_else()
    {
        var recorded = Recorded();
        var documented = MetricsDoc.Rows().ToDictionary(r => r.Name, r => Describe(r.Type, r.Unit, r.LabelKeys));

        var missing = recorded.Where(p => !documented.TryGetValue(p.Key, out var d) || d != p.Value).Select(p => $"{p.Key} {p.Value}").Order().ToList();
        var extra = documented.Where(p => !recorded.TryGetValue(p.Key, out var r) || r != p.Value).Select(p => $"{p.Key} {p.Value}").Order().ToList();
        Assert.True(
            missing.Count == 0 && extra.Count == 0,
            $"docs/metrics.md differs from the instruments.\nRecorded, not documented so:\n  {string.Join("\n  ", missing)}\nDocumented, not recorded so:\n  {string.Join("\n  ", extra)}");
    }

    [Fact]
    public void Every_instrument_recorded_at_least_once_so_its_labels_are_known()
    {
        Assert.NotEmpty(tour.Instruments);
        var silent = tour.Instruments.GroupBy(p => p.Key.Name).Where(g => g.Sum(p => p.Value.Measurements) == 0).Select(g => g.Key).ToList();
        Assert.True(silent.Count == 0, $"the tour never recorded {string.Join(", ", silent)}: extend ControllerTour so it does");
    }

    [Fact]
    public void Every_HaInstruments_constant_names_an_instrument_and_each_doc_row_names_its_constant()
    {
        var constants = typeof(HaInstruments).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);
        var instruments = tour.Instruments.Keys.GroupBy(i => i.Name).ToDictionary(g => g.Key, g => g.First());

        Assert.Equal(constants.Values.Order(StringComparer.Ordinal), instruments.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(constants.Count, constants.Values.Distinct().Count());
        foreach (var row in MetricsDoc.Rows())
        {
            Assert.True(constants.TryGetValue(row.Constant, out var name), $"docs/metrics.md names HaInstruments.{row.Constant}, which does not exist");
            Assert.Equal(row.Name, PrometheusNaming.Name(instruments[name]));
        }
    }

    [Fact]
    public void The_seeds_metric_and_the_slo_inputs_are_among_the_documented_names()
    {
        var names = MetricsDoc.Rows().Select(r => r.Name).ToHashSet();
        Assert.Contains("roost_keeper_leader_election_changes_total", names);
        Assert.Contains("roost_keeper_leader_election_is_leader", names);
        Assert.Contains("roost_keeper_reconcile_total", names);
    }

    private Dictionary<string, string> Recorded() =>
        tour.Instruments
            .GroupBy(p => PrometheusNaming.Name(p.Key))
            .ToDictionary(
                g => g.Key,
                g => Describe(
                    string.Join("/", g.Select(p => PrometheusNaming.Type(p.Key)).Distinct()),
                    string.Join("/", g.Select(p => p.Key.Unit ?? "").Distinct()),
                    g.SelectMany(p => p.Value.LabelKeys.Keys).Distinct().Order(StringComparer.Ordinal).ToList()));

    private static string Describe(string type, string unit, IReadOnlyList<string> labels) => $"{type} `{unit}` [{string.Join(", ", labels)}]";
}
