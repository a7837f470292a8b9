using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.AspNetCore.Probes;

/// <summary>
/// One probe: the application's registered checks that carry <see cref="Tag"/> (run by ASP.NET Core's own
/// <see cref="HealthCheckService"/>), plus the elector watchdog entry, answered as <c>MapHealthChecks</c>
/// answers by default: 200 for Healthy and Degraded, 503 for Unhealthy, the status as text/plain (or the
/// given writer), never cached.
/// </summary>
internal sealed class ProbeEndpoint
{
    public const string WatchdogEntry = "roost-ha-elector";

    private readonly string _tag;
    private readonly bool _readiness;
    private readonly Func<HttpContext, HealthReport, Task>? _writer;

    public ProbeEndpoint(string tag, bool readiness, Func<HttpContext, HealthReport, Task>? writer)
    {
        _tag = tag;
        _readiness = readiness;
        _writer = writer;
    }

    public string Tag => _tag;

    public async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var started = time.GetTimestamp();
        var entries = new Dictionary<string, HealthReportEntry>(StringComparer.OrdinalIgnoreCase);
        if (services.GetService<HealthCheckService>() is { } checks)
        {
            var report = await checks.CheckHealthAsync(r => r.Tags.Contains(_tag), context.RequestAborted).ConfigureAwait(false);
            foreach (var (name, entry) in report.Entries)
            {
                entries[name] = entry;
            }
        }

        if (services.GetService<HaManager>() is { } manager)
        {
            var options = services.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;

            // Readiness: client-go's renew deadline (a leader that could not renew within it must stop
            // acting). Liveness: HealthzAdaptor's LeaseDuration plus its default 20 s tolerance, so a
            // restart only follows a stuck elector, never a slow API server.
            var lease = $"{options.LeaseNamespace}/{options.LeaseName}";
            entries[WatchdogEntry] = _readiness
                ? ElectionWatchdog.Judge(manager, lease, options.RenewDeadline, "RenewDeadline", time)
                : ElectionWatchdog.Judge(manager, lease, options.LeaseDuration + HealthzTolerance, "LeaseDuration + 20s", time);
        }

        var result = new HealthReport(entries, time.GetElapsedTime(started));
        context.Response.StatusCode = result.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.Headers.Pragma = "no-cache";
        context.Response.Headers.Expires = "Thu, 01 Jan 1970 00:00:00 GMT";
        if (_writer is not null)
        {
            await _writer(context, result).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(result.Status.ToString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static readonly TimeSpan HealthzTolerance = TimeSpan.FromSeconds(20);
}
