using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Recovery;

/// <summary>The health check AddBackups runs after a restore, set by <see cref="BackupBuilder.VerifyHealthWith"/>.</summary>
internal sealed class BackupHealthCheckRegistration(Func<IServiceProvider, CancellationToken, Task<HealthReport>> check)
{
    public Func<IServiceProvider, CancellationToken, Task<HealthReport>> Check { get; } = check;
}
