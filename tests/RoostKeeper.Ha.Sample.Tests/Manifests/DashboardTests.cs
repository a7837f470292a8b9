using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// The sample's Grafana dashboard queries only metrics the library emits (docs/metrics.md's rows, each named by a
/// HaInstruments constant and checked against the instruments by RoostKeeper.Ha.Tests' Diagnostics/MetricsDocTests) and the recording
/// rules, and shows every metric the library emits.
/// </summary>
public sealed class DashboardTests
{
    [Fact]
    public void Every_query_names_only_library_metrics_or_recording_rules()
    {
        var known = KnownMetrics.Emitted().Concat(KnownMetrics.RecordingRules()).ToHashSet();
        var expressions = Expressions();
        Assert.NotEmpty(expressions);
        foreach (var expr in expressions)
        {
            var names = PromQl.MetricNames(expr);
            Assert.True(names.Count > 0, $"'{expr}' names no metric");
            Assert.All(names, name => Assert.True(known.Contains(name), $"the dashboard queries {name} ('{expr}'), which the library does not emit (docs/metrics.md) and no recording rule records"));
        }
    }

    [Fact]
    public void Every_emitted_metric_and_every_recording_rule_has_a_panel()
    {
        var used = Expressions().SelectMany(PromQl.MetricNames).ToHashSet();
        var emitted = MetricsDoc.Rows().Select(r => r.Name);
        Assert.All(emitted, name => Assert.True(used.Any(u => u == name || u.StartsWith(name + "_", StringComparison.Ordinal)), $"no panel shows {name}"));
        Assert.All(KnownMetrics.RecordingRules().Where(r => r != "roost_keeper:leader_present" && !r.EndsWith("avg30m", StringComparison.Ordinal)), rule => Assert.Contains(rule, used));
    }

    private static List<string> Expressions()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(SampleManifests.DashboardFile))!;
        var found = new List<string>();
        Collect(dashboard, found);
        return found;
    }

    private static void Collect(JsonNode? node, List<string> found)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key == "expr" && value is JsonValue v)
                    {
                        found.Add(v.GetValue<string>());
                    }
                    else
                    {
                        Collect(value, found);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Collect(item, found);
                }

                break;
        }
    }
}
