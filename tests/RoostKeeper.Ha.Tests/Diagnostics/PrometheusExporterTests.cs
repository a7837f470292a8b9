using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Sharding;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Tests.Diagnostics;

/// <summary>
/// The real OpenTelemetry Prometheus exporter, scraped over HTTP on loopback, shows every instrument under the name
/// and type docs/metrics.md gives, with the label keys it lists: the doc's names are not only this repository's
/// reading of the exporter's rules (<see cref="PrometheusNaming"/>).
/// </summary>
public sealed partial class PrometheusExporterTests(ITestOutputHelper output)
{
    /// <summary>Labels the exporter adds to every series, and a histogram bucket's bound.</summary>
    private static readonly string[] ExporterLabels = ["le", "otel_scope_name", "otel_scope_version", "otel_scope_schema_url"];

    [Fact]
    public async Task A_scrape_shows_each_documented_metric_with_its_type_and_labels_and_no_other()
    {
        var port = FreePort();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(HaTelemetry.Name)
            .AddPrometheusHttpListener(o => (o.Host, o.Port) = ("127.0.0.1", port))
            .Build();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        RecordOneOfEach(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        output.WriteLine(text);
        var scraped = Parse(text);

        var documented = MetricsDoc.Rows().ToDictionary(r => r.Name);
        Assert.NotEmpty(documented);
        foreach (var row in documented.Values)
        {
            Assert.True(scraped.TryGetValue(row.Name, out var metric), $"the exporter shows no {row.Name}; it shows: {string.Join(", ", scraped.Keys.Order())}");
            Assert.Equal(row.Type, metric.Type);
            Assert.Equal(row.LabelKeys, metric.Labels.Except(ExporterLabels).Order(StringComparer.Ordinal).ToList());
        }

        Assert.Empty(scraped.Keys.Where(k => k.StartsWith("roost_keeper_", StringComparison.Ordinal)).Except(documented.Keys));
    }

    /// <summary>One measurement on every instrument, with the labels the managers set.</summary>
    private static void RecordOneOfEach(System.Diagnostics.Metrics.IMeterFactory factory)
    {
        var ha = new ElectionMetrics(factory);
        ha.Track(() => (true, "replica-a", "roost-lease"));
        ha.LeaderChanges.Add(1, new("lease", "roost-lease"), new("identity", "replica-a"));
        ha.Failures.Add(1, new("operation", "renew"), new("lease", "roost-lease"));
        ha.WatchEvents.Add(1, new KeyValuePair<string, object?>("lease", "roost-lease"));
        ha.RenewDuration.Record(0.01, new KeyValuePair<string, object?>("lease", "roost-lease"));

        var health = new HealthMetrics(ha.Meter);
        var report = new HealthReport(
            new Dictionary<string, HealthReportEntry> { ["kubernetes-api"] = new(HealthStatus.Healthy, null, TimeSpan.FromMilliseconds(5), null, null) },
            TimeSpan.FromMilliseconds(5));
        health.Track(() => ("replica-a", report));
        health.RecordDurations("replica-a", report);
        health.HandedOver("roost-lease", "replica-a");
        health.TrackBudget(() => ("roost-lease", 2));

        var recovery = new RecoveryMetrics(factory);
        recovery.Operations.Add(1, new("operation", "backup"), new("outcome", "succeeded"));
        recovery.Duration.Record(1.5, new("operation", "backup"), new("outcome", "succeeded"));
        recovery.Objects.Add(3, new KeyValuePair<string, object?>("operation", "backup"));
        recovery.Bytes.Add(1024, new KeyValuePair<string, object?>("operation", "backup"));
        recovery.BackupSucceeded(DateTimeOffset.UnixEpoch.AddDays(20000));

        var rollouts = new RollingUpdateMetrics(factory);
        var deployment = new TagList { { "namespace", "roost-system" }, { "deployment", "roost" } };
        var failed = new TagList { { "namespace", "roost-system" }, { "deployment", "roost" }, { "failure", "CrashLoop" } };
        rollouts.Started.Add(1, deployment);
        rollouts.Succeeded.Add(1, deployment);
        rollouts.RolledBack.Add(1, failed);
        rollouts.Failed.Add(1, failed);
        rollouts.Duration.Record(30, new("outcome", "Succeeded"), new("namespace", "roost-system"), new("deployment", "roost"));

        new ReconcileRecorder(factory).Record("managedroost", ReconcileResult.Success, TimeSpan.FromMilliseconds(3));

        var sharding = new ShardingMetrics(factory);
        sharding.Track(() => ("replica-a", "roost-lease-shards", 5));
        sharding.RecordMoves("roost-lease-shards", "rebalance", 4);
        sharding.RecordUnowned("roost-lease-shards", 3, 0.05);
    }

    /// <summary>Each metric family of a Prometheus text exposition: its type, and the label keys of its samples.</summary>
    private static Dictionary<string, (string Type, HashSet<string> Labels)> Parse(string exposition)
    {
        var families = new Dictionary<string, (string Type, HashSet<string> Labels)>();
        foreach (Match type in TypeLine().Matches(exposition))
        {
            families[type.Groups[1].Value] = (type.Groups[2].Value, []);
        }

        foreach (Match sample in SampleLine().Matches(exposition))
        {
            var name = sample.Groups[1].Value;
            var family = families.Keys.FirstOrDefault(f => name == f || name == f + "_bucket" || name == f + "_sum" || name == f + "_count");
            if (family is not null)
            {
                families[family].Labels.UnionWith(LabelKey().Matches(sample.Groups[2].Value).Select(m => m.Groups[1].Value));
            }
        }

        return families;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelKey();
}
