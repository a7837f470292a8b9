using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.AspNetCore.Forwarding;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Operations;

namespace RoostKeeper.Ha.AspNetCore.Api;

/// <summary>
/// What the endpoints of one <c>MapRoostHaApi</c> share: its settings, the operations of this replica, the
/// leader terms they run in, what is known about backups' validity, and the way to the leader.
/// </summary>
internal sealed class ApiState
{
    public ApiState(ApiSettings settings, ILogger logger, IServiceProvider services)
    {
        Settings = settings;
        Logger = logger;
        Time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        Manager = services.GetService<HaManager>()
            ?? throw new InvalidOperationException("MapRoostHaApi needs the HaManager of RoostKeeper.Ha: call builder.Services.AddRoostHa(...) before building the app.");
        Operations = new OperationStore(settings.RetainedOperations, Time);
        Locations = new OperationLocations(settings.Prefix);
        Terms = new LeaderTerms(Manager);
        Ledger = new ValidationLedger();
        Runner = new OperationRunner(Time, logger);
        Forwarder = new LeaderForwarder(settings.LeaderUrlTemplate, settings.ForwardToLeader, settings.MaxRequestBodySize, Manager, logger, Time, services);
        Stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        Stopping.Register(Forwarder.Dispose);
    }

    public ApiSettings Settings { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public HaManager Manager { get; }

    public OperationStore Operations { get; }

    public OperationLocations Locations { get; }

    public LeaderTerms Terms { get; }

    public ValidationLedger Ledger { get; }

    public OperationRunner Runner { get; }

    public LeaderForwarder Forwarder { get; }

    /// <summary>Cancelled when the host stops: ends operations that do not run in a leader term (validations).</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Where an operation is polled, as the caller addressed this API (path base and prefix included).</summary>
    public string OperationLocation(HttpContext context, string operationId) => Locations.Of(context, operationId);

    public static string Caller(HttpContext context) => context.User.Identity?.Name is { Length: > 0 } name ? name : "an anonymous caller";

    /// <summary>Leader-only work that runs in the current term: here on the leader, else forwarded or refused.</summary>
    public Func<HttpContext, Task<IResult>> LeaderOnly(Func<HttpContext, LeaderTerms.Term, Task<IResult>> handler) => async context =>
    {
        if (!Manager.IsLeader)
        {
            return await Forwarder.ForwardOrRefuseAsync(context).ConfigureAwait(false);
        }

        return Terms.Current is { } term
            ? await handler(context, term).ConfigureAwait(false)
            : Problems.TermNotJoined(Manager);
    };

    /// <summary>Leader-only work that needs no term (a hand-over): here on the leader, else forwarded or refused.</summary>
    public Func<HttpContext, Task<IResult>> LeaderOnly(Func<HttpContext, Task<IResult>> handler) => async context =>
        Manager.IsLeader
            ? await handler(context).ConfigureAwait(false)
            : await Forwarder.ForwardOrRefuseAsync(context).ConfigureAwait(false);

    /// <summary>The 409 answer when <paramref name="running"/> holds what a new operation needs: which it is, and where to poll it.</summary>
    public IResult Running(HttpContext context, Operation running, string what) => Problems.Running(
        what,
        running.Id,
        running.Kind.ToString().ToLowerInvariant(),
        running.BackupId.Length == 0 ? null : running.BackupId,
        running.Replica,
        OperationLocation(context, running.Id));

    /// <summary>The 202 answer for a started operation: Location to poll, and the operation as it is now.</summary>
    public IResult Accepted(HttpContext context, Operation operation)
    {
        var location = OperationLocation(context, operation.Id);
        return new AcceptedResult(location, Results.Json(operation.ToDocument(location), ApiJson.Response, statusCode: StatusCodes.Status202Accepted));
    }

    /// <summary>Sets Location (and Retry-After, a polling hint) then writes the JSON.</summary>
    private sealed class AcceptedResult(string location, IResult json) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            httpContext.Response.Headers.RetryAfter = "1";
            return json.ExecuteAsync(httpContext);
        }
    }
}
