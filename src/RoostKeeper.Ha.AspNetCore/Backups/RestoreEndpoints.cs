using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>
/// POST /restore/{id}: leader-only, one restore (dry run or not) at a time, 202 + operation. The body sets dry
/// run, the existing-object policy and the namespace mapping; the operation's result is the per-object outcome
/// (for a dry run: the plan, with the fields that differ).
/// </summary>
internal sealed partial class RestoreEndpoints
{
    private readonly ApiState _api;
    private readonly BackupEndpoints _backups;

    public RestoreEndpoints(ApiState api, BackupEndpoints backups)
    {
        _api = api;
        _backups = backups;
    }

    public async Task<IResult> RestoreAsync(HttpContext context, LeaderTerms.Term term)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!RouteIds.IsValid(id))
        {
            return Problems.BadId("id", id);
        }

        var body = await RequestBody.ReadAsync<RestoreRequest>(context, _api.Settings.MaxRequestBodySize, ApiJson.Request).ConfigureAwait(false);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var request = body.Value ?? new RestoreRequest(null, null, null, null, null);
        if (Check(request.NamespaceMapping) is { } invalid)
        {
            return invalid;
        }

        if (BackupEndpoints.Recovery(context) is not { } recovery)
        {
            return BackupEndpoints.NotConfigured();
        }

        if (!await BackupEndpoints.ExistsAsync(recovery, id, context.RequestAborted).ConfigureAwait(false))
        {
            return Problems.BackupNotFound(id);
        }

        var options = new RestoreOptions
        {
            DryRun = request.DryRun ?? false,
            ExistingObjects = request.ExistingObjects ?? ExistingObjectPolicy.Skip,
            NamespaceMapping = request.NamespaceMapping ?? [],
            IncludeStatus = request.IncludeStatus ?? false,
            VerifyHealth = request.VerifyHealth ?? true,
        };
        var (operation, running) = _api.Operations.TryAdd(OperationKind.Restore, id, options.DryRun, _api.Manager.Identity, ApiState.Caller(context));
        if (running is not null)
        {
            return _api.Running(context, running, "Two restores never run at once.");
        }

        OperationLog.Started(_api.Logger, operation!.Id, operation.Kind, id, operation.RequestedBy);
        var started = term.TryRun(token => _api.Runner.RunAsync(
            operation,
            async ct =>
            {
                var progress = new SynchronousProgress<RestoreProgress>(p => operation.Report(new OperationProgress(p.Phase == RestorePhase.Validating ? "validate" : "restore", p.Objects, p.Total, p.Failed, 0)));
                RestoreResult result;
                try
                {
                    result = await recovery.RestoreFromBackupAsync(id, options, progress, ct).ConfigureAwait(false);
                }
                catch (BackupException e) when (e is not BackupNotFoundException && !ct.IsCancellationRequested)
                {
                    _api.Ledger.Invalid(id, _api.Time.GetUtcNow(), operation.Replica, e);
                    throw;
                }

                // A restore validates the whole backup before it writes anything.
                _api.Ledger.Valid(id, _api.Time.GetUtcNow(), operation.Replica, options.DryRun ? "restore (dry run)" : "restore");
                var failed = result.Count(RestoreOutcome.Failed);
                return new OperationOutcome(
                    result.Succeeded ? OperationState.Succeeded : OperationState.Failed,
                    RestoreDocument.From(result),
                    result.Succeeded ? null : new OperationError(
                        "The restore did not fully succeed.",
                        failed > 0
                            ? $"{failed} object(s) failed; each has its error in result.objects. Fix the cause and restore again (existing objects are skipped or updated as the policy says)."
                            : "Every object was restored, but the health check after it reports Unhealthy (result.health).",
                        "RestoreIncomplete"));
            },
            () => OperationErrors.LeadershipLost(operation, term.Leadership.Term, _api.Manager.LeaderIdentity),
            token));
        return started ? _api.Accepted(context, operation) : _backups.Abandon(operation, term);
    }

    /// <summary>Namespace names on both sides must be DNS-1123 labels (what the API server accepts), named in the 400.</summary>
    private static IResult? Check(Dictionary<string, string>? mapping)
    {
        foreach (var (from, to) in mapping ?? [])
        {
            if (!NamespaceName().IsMatch(from))
            {
                return Problems.BadRequest("$.namespaceMapping", $"\"{Shorten(from)}\" is not a namespace name: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit.");
            }

            if (!NamespaceName().IsMatch(to))
            {
                return Problems.BadRequest($"$.namespaceMapping.{from}", $"\"{Shorten(to)}\" is not a namespace name: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit.");
            }
        }

        return null;
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamespaceName();
}
