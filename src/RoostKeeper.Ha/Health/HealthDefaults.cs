using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Health;

/// <summary>Where the built-in checks find what they were not told: namespace, pod name, client and clock.</summary>
internal static class HealthDefaults
{
    /// <summary>A copy of <paramref name="options"/> with Namespace and PodName filled from the elector or the pod.</summary>
    public static HealthOptions Resolve(HealthOptions options, ILeaderElector? elector) => new()
    {
        Namespace = options.Namespace is { Length: > 0 } ns ? ns : elector?.Settings.LeaseNamespace ?? PodNamespace(),
        PodName = options.PodName is { Length: > 0 } pod ? pod : Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } fromEnv ? fromEnv : null,
        Interval = options.Interval,
        CheckTimeout = options.CheckTimeout,
        StepDownAfter = options.StepDownAfter,
        MaxHandOvers = options.MaxHandOvers,
        HandOverWindow = options.HandOverWindow,
    };

    /// <summary>The namespace a check reads: the one it was given, else the options', else the pod's.</summary>
    public static string Namespace(IServiceProvider services, string? explicitNamespace, string check) =>
        explicitNamespace is { Length: > 0 } ns ? ns
        : Options(services)?.Namespace is { Length: > 0 } fromOptions ? fromOptions
        : PodNamespace() ?? throw new InvalidOperationException(
            $"Health check {check} needs a namespace: pass one to it, set RoostHa:Health:Namespace, or run in a pod (service account or POD_NAMESPACE).");

    public static HealthOptions? Options(IServiceProvider services) => services.GetService<IOptions<HealthOptions>>()?.Value;

    public static IKubernetes Client(IServiceProvider services) => services.GetRequiredService<IKubernetes>();

    public static TimeProvider Time(IServiceProvider services) => services.GetService<TimeProvider>() ?? TimeProvider.System;

    private static string? PodNamespace()
    {
        try
        {
            if (File.Exists(PodEnvironment.ServiceAccountNamespaceFile) && File.ReadAllText(PodEnvironment.ServiceAccountNamespaceFile).Trim() is { Length: > 0 } fromFile)
            {
                return fromFile;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not in a pod, or the file is not readable: fall back to the variable.
        }

        return Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns ? ns : null;
    }
}
