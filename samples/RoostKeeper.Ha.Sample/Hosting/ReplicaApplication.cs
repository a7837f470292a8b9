using k8s;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sample.Controller;

namespace RoostKeeper.Ha.Sample.Hosting;

/// <summary>
/// One replica of the ManagedRoost controller as an ASP.NET Core application: leader election, the leader-only
/// controller, health checks that hand leadership away from a leader that cannot work, backups, rolling updates,
/// the RoostKeeper.Ha.AspNetCore probes, status API and page, and /metrics for Prometheus. The walk-through builds three of these; a real
/// replica builds one, from the same code.
/// </summary>
internal static class ReplicaApplication
{
    public const string LeaseName = "roost-keeper-controller";

    public static WebApplication Build(ReplicaSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = settings.Args,
            ApplicationName = typeof(ReplicaApplication).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (settings.LogProvider is { } logs)
        {
            // The walk-through keeps its console for the story; the library's logs go to the log file.
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        var urls = settings.Urls ?? builder.Configuration["urls"];
        if (settings.MetricsUrl is { } metrics)
        {
            // A port of its own for Prometheus (config/ha: containerPort "metrics", the ServiceMonitor's target).
            urls = (urls ?? "http://+:8080") + ";" + metrics;
        }

        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        // The "RoostKeeper.Ha" meter (election, health, recovery, rollouts and the reconciles recorded with
        // ReconcileRecorder) in the Prometheus text format, as docs/metrics.md names it.
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(HaTelemetry.Name).AddPrometheusExporter());

        builder.Services.AddSingleton(settings.Time);
        if (settings.ShardWork is { } shardWork)
        {
            builder.Services.AddSingleton(shardWork);
        }

        if (settings.ElectionClient is { } election)
        {
            builder.Services.AddSingleton(election);
        }

        builder.Services.AddRoostHa(o =>
            {
                o.LeaseName ??= LeaseName;
                o.LeaseNamespace ??= settings.Namespace;
                o.Identity ??= settings.Identity;
                settings.ConfigureElection?.Invoke(o);
            })
            .AddManagedRoostController(settings.ControllerClient, settings.Journal, o =>
            {
                o.Namespace ??= settings.Namespace;
                settings.ConfigureController?.Invoke(o);
            }, sharding: settings.Sharded || builder.Configuration.GetValue<bool>($"{ManagedRoostControllerOptions.SectionName}:{nameof(ManagedRoostControllerOptions.Sharded)}")
                ? o => settings.ConfigureSharding?.Invoke(o)
                : null)
            .AddHealthChecks(
                h => h.AddLeaderElection().AddKubernetesApi().AddCheck<ControllerHealthCheck>(ControllerHealthCheck.Name),
                o => o.Interval = settings.HealthInterval)
            .StepDownWhenUnhealthy(settings.StepDownAfter)
            .AddBackups(b => b
                .Include(ManagedRoost.Group, ManagedRoost.Version, ManagedRoost.Plural, settings.Namespace)
                .ToDirectory(settings.BackupDirectory))
            .AddRollingUpdates();

        if (settings.Token is { } token)
        {
            builder.Services.AddSingleton(token);
            builder.Services.AddAuthentication(OperatorToken.Scheme)
                .AddScheme<AuthenticationSchemeOptions, OperatorTokenHandler>(OperatorToken.Scheme, _ => { });
            builder.Services.AddAuthorization(o => o.AddPolicy(OperatorToken.Policy, p => p.RequireAuthenticatedUser()));
        }

        var app = builder.Build();
        if (settings.Token is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        // /healthz and /readyz for the kubelet; /, /status and POST /failover (with the token) for operators.
        app.MapRoostHaProbes();
        var scrape = app.MapPrometheusScrapingEndpoint();
        if (settings.MetricsUrl is { } metricsUrl)
        {
            scrape.RequireHost("*:" + new Uri(metricsUrl.Replace("+", "localhost", StringComparison.Ordinal)).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        app.MapRoostHaApi(o =>
        {
            o.MutationPolicy = settings.Token is null ? null : OperatorToken.Policy;
            o.StatusPageRefresh = TimeSpan.FromSeconds(2);
        });
        return app;
    }

    /// <summary>The first address Kestrel listens on, once started (with port 0, the port it was given).</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}

/// <summary>What differs between the walk-through's replicas and a real one.</summary>
internal sealed record ReplicaSettings
{
    /// <summary>Command-line arguments bound as configuration (a real replica: --RoostHa:LeaseDuration=... and so on).</summary>
    public string[] Args { get; init; } = [];

    /// <summary>The replica's identity; null: POD_NAME (or the host name) with a random suffix.</summary>
    public string? Identity { get; init; }

    /// <summary>The namespace of the Lease and of the ManagedRoosts; null: the pod's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>The client the elector, health checks, backups and rollouts use; null: AddRoostHa's default (in-cluster or kubeconfig).</summary>
    public IKubernetes? ElectionClient { get; init; }

    /// <summary>The client the controller's work uses.</summary>
    public required IKubernetes ControllerClient { get; init; }

    public required LeadershipJournal Journal { get; init; }

    public required string BackupDirectory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string? Urls { get; init; }

    /// <summary>A URL of its own for GET /metrics (e.g. http://+:9464); null: /metrics on the API's URL.</summary>
    public string? MetricsUrl { get; init; }

    public OperatorToken? Token { get; init; }

    public ILoggerProvider? LogProvider { get; init; }

    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan StepDownAfter { get; init; } = TimeSpan.FromSeconds(90);

    public Action<LeaderElectionOptions>? ConfigureElection { get; init; }

    public Action<ManagedRoostControllerOptions>? ConfigureController { get; init; }

    /// <summary>Sharded mode (<see cref="ManagedRoostControllerOptions.Sharded"/>): every replica reconciles the roosts of its shards.</summary>
    public bool Sharded { get; init; }

    /// <summary>The walk-through's record of which replica reconciled which shard when (sharded mode); null for none.</summary>
    public RoostKeeper.Ha.Testing.ShardOwnershipRecorder? ShardWork { get; init; }

    /// <summary>Sets the sharding options (after RoostHa:Sharding is bound) in sharded mode.</summary>
    public Action<RoostKeeper.Ha.Sharding.ShardingOptions>? ConfigureSharding { get; init; }
}
