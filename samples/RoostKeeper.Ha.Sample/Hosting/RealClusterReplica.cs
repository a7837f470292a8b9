using k8s;
using k8s.Exceptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Sample.Controller;
using Spectre.Console;

namespace RoostKeeper.Ha.Sample.Hosting;

/// <summary>
/// One real replica of the ManagedRoost controller, against the cluster of --kubeconfig or, in a pod, the
/// in-cluster configuration. The same <see cref="ReplicaApplication"/> as the walk-through's replicas; nothing
/// of the simulator is used on this path.
/// </summary>
internal static class RealClusterReplica
{
    public static async Task<int> RunAsync(SampleOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        KubernetesClientConfiguration config;
        try
        {
            config = options.Kubeconfig is { } path
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path)
                : KubernetesClientConfiguration.InClusterConfig();
        }
        catch (Exception e) when (e is KubeConfigException or IOException)
        {
            console.MarkupLine($"[red]Cannot use {Markup.Escape(options.Kubeconfig ?? "the in-cluster configuration")}: {Markup.Escape(e.Message)}[/]");
            return SampleProgram.BadArguments;
        }

        var ns = options.Namespace ?? PodNamespace() ?? config.Namespace ?? "default";
        var token = Environment.GetEnvironmentVariable(OperatorToken.EnvironmentVariable) is { Length: > 0 } value ? new OperatorToken(value) : null;
        var inPod = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 };

        var app = ReplicaApplication.Build(new ReplicaSettings
        {
            Args = [.. options.Configuration],
            Namespace = ns,
            ElectionClient = new Kubernetes(config),
            ControllerClient = new Kubernetes(config),
            Journal = new LeadershipJournal(TimeProvider.System),
            BackupDirectory = options.BackupDirectory ?? Path.Combine(Path.GetTempPath(), "roost-keeper-backups"),

            // In a pod ASPNETCORE_URLS (config/ha/deployment.yaml: http://+:8080) decides; on a laptop, loopback only.
            Urls = inPod || options.Configuration.Contains("--urls") ? null : "http://127.0.0.1:8080",
            MetricsUrl = options.MetricsUrl ?? (inPod ? "http://+:9464" : null),
            Token = token,
            HealthInterval = TimeSpan.FromSeconds(10),
            StepDownAfter = TimeSpan.FromSeconds(30),
        });
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RoostKeeper.Ha.Sample");
        if (token is not null)
        {
            ControllerLog.TokenConfigured(logger, OperatorToken.EnvironmentVariable);
        }

        if (options.ApplyCrd)
        {
            await ManagedRoostDefinition.ApplyAsync(app.Services.GetRequiredService<IKubernetes>(), logger, TimeProvider.System, TimeSpan.FromSeconds(60), cancellationToken);
        }

        try
        {
            await app.RunAsync(cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
        }

        return SampleProgram.Success;
    }

    private static string? PodNamespace()
    {
        const string file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        return Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns
            : File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }
}
