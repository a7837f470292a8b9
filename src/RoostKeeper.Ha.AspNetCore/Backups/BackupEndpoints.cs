using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Diagnostics;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>
/// The backup endpoints over <see cref="RecoveryManager"/>: create (leader-only, 202 + operation), list, read,
/// validate (any replica, 202 + operation) and delete (leader-only). Without <c>AddBackups(...)</c> they answer 501.
/// </summary>
internal sealed class BackupEndpoints
{
    private readonly ApiState _api;

    public BackupEndpoints(ApiState api) => _api = api;

    /// <summary>POST /backup and POST /backups: starts a backup in this leader's term.</summary>
    public async Task<IResult> CreateAsync(HttpContext context, LeaderTerms.Term term)
    {
        var body = await RequestBody.ReadAsync<EmptyRequest>(context, _api.Settings.MaxRequestBodySize, ApiJson.Request).ConfigureAwait(false);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        if (Recovery(context) is not { } recovery)
        {
            return NotConfigured();
        }

        var (operation, running) = _api.Operations.TryAdd(OperationKind.Backup, "", false, _api.Manager.Identity, ApiState.Caller(context));
        if (running is not null)
        {
            return _api.Running(context, running, "One backup runs at a time.");
        }

        var verified = context.RequestServices.GetService<IOptions<BackupOptions>>()?.Value.VerifyAfterWrite ?? false;
        OperationLog.Started(_api.Logger, operation!.Id, operation.Kind, "(new)", operation.RequestedBy);
        var started = term.TryRun(token => _api.Runner.RunAsync(
            operation,
            async ct =>
            {
                var progress = new SynchronousProgress<BackupProgress>(p => operation.Report(new OperationProgress(p.Resource, p.Objects, null, 0, p.Bytes)));
                var info = await recovery.CreateBackupAsync(progress, ct).ConfigureAwait(false);
                if (verified)
                {
                    _api.Ledger.Valid(info.Id, _api.Time.GetUtcNow(), operation.Replica, "verified after write");
                }

                operation.Report(new OperationProgress("done", info.ObjectCount, info.ObjectCount, 0, info.ArchiveSizeBytes));
                return new OperationOutcome(OperationState.Succeeded, BackupDocument.From(info, _api.Ledger.Get(info.Id)), BackupId: info.Id);
            },
            () => OperationErrors.LeadershipLost(operation, term.Leadership.Term, _api.Manager.LeaderIdentity),
            token));
        return started ? _api.Accepted(context, operation) : Abandon(operation, term);
    }

    /// <summary>GET /backups: the complete backups, newest first, with their validation state.</summary>
    public async Task<IResult> ListAsync(HttpContext context)
    {
        if (Recovery(context) is not { } recovery)
        {
            return NotConfigured();
        }

        var backups = await recovery.ListBackupsAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(backups.Select(b => BackupDocument.From(b, _api.Ledger.Get(b.Id))).ToList(), ApiJson.Response);
    }

    /// <summary>GET /backups/{id}.</summary>
    public async Task<IResult> GetAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!RouteIds.IsValid(id))
        {
            return Problems.BadId("id", id);
        }

        if (Recovery(context) is not { } recovery)
        {
            return NotConfigured();
        }

        try
        {
            var info = await recovery.GetBackupAsync(id, context.RequestAborted).ConfigureAwait(false);
            return Results.Json(BackupDocument.From(info, _api.Ledger.Get(id)), ApiJson.Response);
        }
        catch (BackupNotFoundException)
        {
            return Problems.BackupNotFound(id);
        }
    }

    /// <summary>POST /backups/{id}/validate: reads the whole backup and checks it, on any replica (it writes nothing).</summary>
    public async Task<IResult> ValidateAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!RouteIds.IsValid(id))
        {
            return Problems.BadId("id", id);
        }

        var body = await RequestBody.ReadAsync<EmptyRequest>(context, _api.Settings.MaxRequestBodySize, ApiJson.Request).ConfigureAwait(false);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        if (Recovery(context) is not { } recovery)
        {
            return NotConfigured();
        }

        if (!await ExistsAsync(recovery, id, context.RequestAborted).ConfigureAwait(false))
        {
            return Problems.BackupNotFound(id);
        }

        var (operation, running) = _api.Operations.TryAdd(OperationKind.Validate, id, false, _api.Manager.Identity, ApiState.Caller(context));
        if (running is not null)
        {
            return _api.Running(context, running, $"Backup {id} is being validated already.");
        }

        OperationLog.Started(_api.Logger, operation!.Id, operation.Kind, id, operation.RequestedBy);
        _ = Task.Run(
            () => _api.Runner.RunAsync(
                operation,
                async ct =>
                {
                    var progress = new SynchronousProgress<BackupProgress>(p => operation.Report(new OperationProgress("validate", p.Objects, null, 0, p.Bytes)));
                    var result = await recovery.ValidateBackupAsync(id, progress, ct).ConfigureAwait(false);
                    var now = _api.Time.GetUtcNow();
                    if (result.Error is { } error)
                    {
                        if (error is not BackupNotFoundException)
                        {
                            _api.Ledger.Invalid(id, now, operation.Replica, error);
                        }

                        var described = OperationErrors.Describe(error);
                        return new OperationOutcome(OperationState.Failed, new ValidationResultDocument(id, false, described), described);
                    }

                    _api.Ledger.Valid(id, now, operation.Replica, "validation");
                    return new OperationOutcome(OperationState.Succeeded, new ValidationResultDocument(id, true, null));
                },
                () => OperationErrors.ShuttingDown(operation),
                _api.Stopping),
            CancellationToken.None);
        return _api.Accepted(context, operation);
    }

    /// <summary>DELETE /backups/{id}: leader-only, refused while an operation reads the backup.</summary>
    public async Task<IResult> DeleteAsync(HttpContext context, LeaderTerms.Term term)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!RouteIds.IsValid(id))
        {
            return Problems.BadId("id", id);
        }

        if (Recovery(context) is not { } recovery)
        {
            return NotConfigured();
        }

        if (_api.Operations.ReadingBackup(id) is { } reading)
        {
            return _api.Running(context, reading, $"Backup {id} is in use.");
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, term.Token);
            await recovery.DeleteBackupAsync(id, linked.Token).ConfigureAwait(false);
        }
        catch (BackupNotFoundException)
        {
            return Problems.BackupNotFound(id);
        }

        _api.Ledger.Forget(id);
        AspNetCoreLog.BackupDeleted(_api.Logger, id, ApiState.Caller(context));
        return Results.NoContent();
    }

    /// <summary>Whether the store has a complete backup <paramref name="id"/>; asked through the manager, so a store failure is known as one.</summary>
    internal static async Task<bool> ExistsAsync(RecoveryManager recovery, string id, CancellationToken cancellationToken)
    {
        try
        {
            await recovery.GetBackupAsync(id, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (BackupNotFoundException)
        {
            return false;
        }
    }

    internal static RecoveryManager? Recovery(HttpContext context) => context.RequestServices.GetService<RecoveryManager>();

    internal static IResult NotConfigured() =>
        Problems.NotConfigured("Backups", "add .AddBackups(b => b.Include(...).ToDirectory(...)) to AddRoostHa(...)");

    /// <summary>The term ended between the leadership check and the start: the operation never ran.</summary>
    internal IResult Abandon(Operation operation, LeaderTerms.Term term)
    {
        operation.Finish(OperationState.Cancelled, _api.Time.GetUtcNow(), null, OperationErrors.LeadershipLost(operation, term.Leadership.Term, _api.Manager.LeaderIdentity));
        return Problems.NotLeader(_api.Manager, _api.Forwarder.AddressOf(_api.Manager.LeaderIdentity));
    }
}
