using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// The sample's Prometheus rules: valid to the real promtool, unit-tested with <c>promtool test rules</c>
/// (each alert fires on a crafted series and stays quiet on a healthy one), the PrometheusRule manifest
/// carrying exactly the same groups, and a runbook in docs/operations.md for every alert.
/// </summary>
public sealed partial class PrometheusRulesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Promtool_checks_the_rules_file()
    {
        var result = await Promtool.RunAsync("check", "rules", SampleManifests.RulesFile);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, $"promtool check rules failed:\n{result}");
        Assert.Contains($"SUCCESS: {RuleCount()} rules found", result.Stdout);
    }

    [Fact]
    public async Task Promtool_rejects_a_rule_with_broken_promql()
    {
        var directory = Directory.CreateTempSubdirectory("roostha-rules-");
        try
        {
            var broken = Path.Combine(directory.FullName, "broken.rules.yml");
            await File.WriteAllTextAsync(broken, "groups:\n- name: g\n  rules:\n  - alert: Broken\n    expr: sum by (job (up)\n");
            var result = await Promtool.RunAsync("check", "rules", broken);
            output.WriteLine(result.ToString());
            Assert.NotEqual(0, result.ExitCode);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Promtool_unit_tests_pass()
    {
        var result = await Promtool.RunAsync("test", "rules", SampleManifests.RulesTestFile);
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, $"promtool test rules failed:\n{result}");
        Assert.Contains("SUCCESS", result.Stdout);
    }

    [Fact]
    public void Promtool_is_not_found_where_there_is_none_and_the_message_says_how_to_install_it()
    {
        var empty = Directory.CreateTempSubdirectory("roostha-no-promtool-");
        try
        {
            Assert.Null(Promtool.Locate(name => name == "PATH" ? empty.FullName : null));
            Assert.Null(Promtool.Locate(name => name == "ROOSTHA_PROMTOOL" ? Path.Combine(empty.FullName, "promtool") : "/usr/bin"));
            Assert.Contains("apt-get install -y prometheus", Promtool.Missing);
        }
        finally
        {
            empty.Delete();
        }
    }

    [Fact]
    public void Every_alert_has_a_unit_test_where_it_fires_and_one_where_it_stays_quiet()
    {
        var tests = YamlDocuments.Maps(YamlDocuments.Load(SampleManifests.RulesTestFile)["tests"])
            .SelectMany(t => t.TryGetValue("alert_rule_test", out var a) ? YamlDocuments.Maps(a) : [])
            .ToList();
        foreach (var alert in Alerts().Select(a => (string)a["alert"]!))
        {
            var cases = tests.Where(t => (string)t["alertname"]! == alert).ToList();
            Assert.True(cases.Any(Fires), $"{alert}: no promtool test expects it to fire");
            Assert.True(cases.Any(c => !Fires(c)), $"{alert}: no promtool test expects it to stay quiet");
        }

        static bool Fires(Dictionary<object, object?> test) => test.TryGetValue("exp_alerts", out var expected) && expected is List<object?> { Count: > 0 };
    }

    [Fact]
    public void The_prometheus_rule_manifest_carries_the_same_groups_as_the_rules_file()
    {
        var inFile = YamlDocuments.Load(SampleManifests.RulesFile)["groups"];
        var inManifest = SampleManifests.Monitoring("PrometheusRule").Spec!["groups"];
        Assert.True(
            YamlDocuments.Canonical(inFile) == YamlDocuments.Canonical(inManifest),
            "prometheus-rule.yaml's spec.groups differ from prometheus/roost-keeper.rules.yml's groups; edit both (the manifest is the rules file's groups indented under spec:).");
    }

    [Fact]
    public void Every_alert_carries_a_severity_and_a_runbook_that_docs_operations_has()
    {
        var anchors = MarkdownAnchors(File.ReadAllText(SampleManifests.OperationsDoc));
        Assert.Contains("back-up-and-restore", anchors);
        foreach (var alert in Alerts())
        {
            var name = (string)alert["alert"]!;
            var labels = (Dictionary<object, object?>)alert["labels"]!;
            Assert.Contains((string)labels["severity"]!, new[] { "critical", "warning" });
            var runbook = (string)((Dictionary<object, object?>)alert["annotations"]!)["runbook_url"]!;
            Assert.Equal($"docs/operations.md#{name.ToLowerInvariant()}", runbook);
            Assert.True(anchors.Contains(name.ToLowerInvariant()), $"docs/operations.md has no section '### {name}' for {name}'s runbook");
        }
    }

    [Fact]
    public void The_rules_name_only_metrics_the_library_the_recording_rules_or_kubernetes_exporters_provide()
    {
        var known = KnownMetrics.Emitted().Concat(KnownMetrics.RecordingRules()).Concat(KnownMetrics.FromKubernetesExporters).ToHashSet();
        foreach (var rule in YamlDocuments.Maps(YamlDocuments.Load(SampleManifests.RulesFile)["groups"]).SelectMany(g => YamlDocuments.Maps(g["rules"])))
        {
            var expr = (string)rule["expr"]!;
            Assert.All(PromQl.MetricNames(expr), name => Assert.True(known.Contains(name), $"{name} in '{expr}' is neither a library metric (docs/metrics.md), a recording rule, nor a Kubernetes exporter's"));
        }
    }

    internal static IEnumerable<Dictionary<object, object?>> Alerts() =>
        YamlDocuments.Maps(YamlDocuments.Load(SampleManifests.RulesFile)["groups"]).SelectMany(g => YamlDocuments.Maps(g["rules"])).Where(r => r.ContainsKey("alert"));

    private static int RuleCount() =>
        YamlDocuments.Maps(YamlDocuments.Load(SampleManifests.RulesFile)["groups"]).Sum(g => ((List<object?>)g["rules"]!).Count);

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.</summary>
    internal static HashSet<string> MarkdownAnchors(string markdown) =>
        Heading().Matches(markdown).Select(m => Slug(m.Groups[1].Value)).ToHashSet();

    internal static string Slug(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    [GeneratedRegex(@"^#{2,4} +(.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
