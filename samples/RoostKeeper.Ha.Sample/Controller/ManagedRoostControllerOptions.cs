using System.ComponentModel.DataAnnotations;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>Options of the ManagedRoost controller, bound from the <c>ManagedRoost</c> configuration section.</summary>
internal sealed class ManagedRoostControllerOptions
{
    public const string SectionName = "ManagedRoost";

    /// <summary>The namespace whose ManagedRoosts are reconciled. Default: the Lease's namespace (the pod's).</summary>
    public string? Namespace { get; set; }

    /// <summary>How often the leader lists and reconciles every roost. Default 5 s; 50 ms to 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of the controller health check's API read. Default 2 s; 50 ms to 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
