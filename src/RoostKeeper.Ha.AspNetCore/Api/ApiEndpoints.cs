using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.AspNetCore.Api;

/// <summary>The handlers of the API: GET /status (read-only) and POST /failover (mutating, leader-only).</summary>
internal sealed class ApiEndpoints
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = false,
    };

    /// <summary>How request bodies are read: unknown fields refused, enums by their exact name only (see <see cref="StrictEnumConverter"/>).</summary>
    internal static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new StrictEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly HaApiOptions _options;
    private readonly ILogger _logger;

    public ApiEndpoints(HaApiOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>GET /status: identity, leader, term, transitions and the health report.</summary>
    public async Task<IResult> StatusAsync(HttpContext context)
    {
        var manager = context.RequestServices.GetRequiredService<HaManager>();
        var status = await manager.GetStatusAsync(context.RequestAborted).ConfigureAwait(false);

        // GetStatusAsync has just run the checks; with AddHealthChecks their report is kept.
        var report = context.RequestServices.GetService<HealthManager>()?.LatestReport
            ?? await manager.CheckClusterHealthAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(StatusDocument.From(status, report), Json);
    }

    /// <summary>POST /failover: the leader hands over (to <c>preferredSuccessor</c> when given); a follower answers 409 naming the leader.</summary>
    public async Task<IResult> FailoverAsync(HttpContext context)
    {
        var body = await RequestBody.ReadAsync<FailoverRequest>(context, _options.MaxRequestBodySize, RequestJson).ConfigureAwait(false);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var manager = context.RequestServices.GetRequiredService<HaManager>();
        var successor = body.Value?.PreferredSuccessor;
        if (successor is not null && (successor.Length == 0 || successor == manager.Identity))
        {
            return Problems.BadRequest(
                "preferredSuccessor",
                successor.Length == 0 ? "preferredSuccessor must be omitted or name another replica." : $"preferredSuccessor names this replica ({manager.Identity}); name another replica or omit it.");
        }

        if (!manager.IsLeader)
        {
            return Problems.NotLeader(manager);
        }

        AspNetCoreLog.FailoverRequested(_logger, context.User.Identity?.Name ?? "an unauthenticated caller", manager.Identity, successor ?? "whoever is first");
        var handedOver = await manager.TriggerFailoverAsync(successor, context.RequestAborted).ConfigureAwait(false);
        return handedOver
            ? Results.Json(new FailoverResponse(manager.Identity, successor), Json)
            : Problems.NotLeader(manager);
    }
}

/// <summary>The body of POST /failover; empty or absent for "whoever is first".</summary>
internal sealed record FailoverRequest(string? PreferredSuccessor);

/// <summary>The answer to a hand-over: who handed over, and to whom (null: whoever is first).</summary>
internal sealed record FailoverResponse(string HandedOverBy, string? PreferredSuccessor);

/// <summary>The JSON of GET /status.</summary>
internal sealed record StatusDocument(
    string Identity,
    bool IsLeader,
    string? Leader,
    long? Term,
    DateTimeOffset? LastRenewTime,
    long LeaderTransitions,
    bool IsWatching,
    bool ApiReachable,
    HealthDocument Health)
{
    public static StatusDocument From(HaStatus status, HealthReport report) => new(
        status.Identity,
        status.IsLeader,
        status.LeaderIdentity,
        status.Term,
        status.LastRenewTime,
        status.LeaderTransitions,
        status.IsWatching,
        status.ApiReachable,
        HealthDocument.From(report));
}

/// <summary>A health report as JSON: the exception of an entry is reduced to its type and message (no stack trace).</summary>
internal sealed record HealthDocument(HealthStatus Status, double TotalDurationMs, IReadOnlyDictionary<string, CheckDocument> Checks)
{
    public static HealthDocument From(HealthReport report) => new(
        report.Status,
        Math.Round(report.TotalDuration.TotalMilliseconds, 1),
        report.Entries.ToDictionary(
            e => e.Key,
            e => new CheckDocument(
                e.Value.Status,
                e.Value.Description,
                Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Exception is { } x ? $"{x.GetType().Name}: {x.Message}" : null,
                [.. e.Value.Tags],
                e.Value.Data.ToDictionary(d => d.Key, d => Convert.ToString(d.Value, System.Globalization.CultureInfo.InvariantCulture))),
            StringComparer.Ordinal));
}

/// <summary>One check in <see cref="HealthDocument"/>.</summary>
internal sealed record CheckDocument(HealthStatus Status, string? Description, double DurationMs, string? Error, IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string?> Data);
