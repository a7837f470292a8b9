using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The failed Lease calls of one elector. Logs them quietly (a line when the problem changes, then one a
/// minute with a count, one when calls succeed again; stacks only at Debug) and notices refusals that
/// retrying cannot fix (403, 401, a 404 on a write) so the leader election health check can report them:
/// <see cref="PersistentAfter"/> in a row of one operation, the last one recent (within
/// <see cref="StaleAfter"/>, so a refusal that stopped, e.g. a watch that now connects, stops counting).
/// </summary>
internal sealed partial class LeaseFailures
{
    /// <summary>Refusals in a row after which a configuration problem is reported (not a race at install time).</summary>
    public const int PersistentAfter = 3;

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _lease;
    private readonly string _namespace;
    private readonly string _identity;
    private readonly TimeSpan _staleAfter;
    private readonly FailureThrottle _throttle;
    private readonly object _gate = new();
    private readonly Dictionary<string, (LeaseRefusal Refusal, long At)> _refusals = new(StringComparer.Ordinal);
    private string? _reported;

    public LeaseFailures(ILogger logger, TimeProvider time, string leaseNamespace, string leaseName, string identity, TimeSpan retryPeriod, TimeSpan renewDeadline)
    {
        _logger = logger;
        _time = time;
        _namespace = leaseNamespace;
        _lease = $"{leaseNamespace}/{leaseName}";
        _identity = identity;
        _staleAfter = 2 * (retryPeriod + renewDeadline);
        _throttle = new FailureThrottle(time);
    }

    /// <summary>How long a refusal counts after the last time it happened.</summary>
    public TimeSpan StaleAfter => _staleAfter;

    /// <summary>The refusal that persists now, if any (the one seen most recently).</summary>
    public LeaseRefusal? Refusal
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                return _refusals.Values
                    .Where(r => r.Refusal.Count >= PersistentAfter && _time.GetElapsedTime(r.At, now) <= _staleAfter)
                    .OrderByDescending(r => r.At)
                    .Select(r => r.Refusal)
                    .FirstOrDefault();
            }
        }
    }

    /// <summary>A Lease call of <paramref name="operation"/> failed (watch failures are logged with when polling resumes).</summary>
    public void Failed(string operation, Exception error, TimeSpan? pollingEvery = null)
    {
        var problem = KubernetesApiErrors.Describe(error);
        if (!KubernetesApiErrors.IsApiOrNetwork(error))
        {
            // Not an API answer: a defect worth its stack, but at Debug: the line below says what failed.
            ElectionLog.FailureDetail(_logger, operation, _lease, _identity, error);
        }

        var refusal = Refused(operation, error, problem);
        var decision = _throttle.Failed(problem);
        if (refusal is { Count: PersistentAfter })
        {
            // Once per refusal, as an error: retrying will not fix it, the fix is in the message.
            ElectionLog.Refused(_logger, _identity, refusal.Verb, _lease, refusal.Problem, refusal.Fix);
        }
        else if (decision.Log && decision.Changed)
        {
            if (pollingEvery is { } every)
            {
                ElectionLog.WatchFailed(_logger, _lease, _identity, every, problem, null);
            }
            else
            {
                ElectionLog.ApiFailed(_logger, operation, _lease, _identity, problem, null);
            }
        }
        else if (decision.Log)
        {
            ElectionLog.StillFailing(_logger, _lease, _identity, problem, decision.Repeats, FailureThrottle.DefaultInterval);
        }
    }

    /// <summary>A Lease call of <paramref name="operation"/> succeeded: its refusals end, and a failure streak is reported over.</summary>
    public void Succeeded(string operation)
    {
        lock (_gate)
        {
            _refusals.Remove(Key(operation));
        }

        // Reads succeed while writes are refused (a missing namespace): only the operation's own success ends a streak.
        if (Refusal is null && _throttle.Succeeded() is var streak and > 0)
        {
            ElectionLog.Recovered(_logger, _lease, _identity, streak);
        }
    }

    private LeaseRefusal? Refused(string operation, Exception error, string problem)
    {
        var status = KubernetesApiErrors.StatusCode(error);
        var kind = KubernetesApiErrors.Classify(error);
        if (status is null || kind is not (ApiErrorKind.Unauthorized or ApiErrorKind.NotFound or ApiErrorKind.MissingResourceType))
        {
            lock (_gate)
            {
                _refusals.Remove(Key(operation));
            }

            return null;
        }

        var verb = ForbiddenVerb().Match(problem) is { Success: true } m ? m.Groups["verb"].Value : DefaultVerb(operation);
        var fix = (status, kind) switch
        {
            (401, _) => "The API server does not accept this replica's credentials: check the kubeconfig user or the service-account token.",
            (_, ApiErrorKind.MissingResourceType) => "The API server has no coordination.k8s.io/v1 Leases (Kubernetes 1.14 or later has them).",
            (_, ApiErrorKind.NotFound) => $"Namespace {_namespace} does not exist: create it (kubectl create namespace {_namespace}) or set RoostHa:LeaseNamespace to one that does.",
            _ => $"Add this rule to a Role in namespace {_namespace} bound to the replica's service account: apiGroups [\"coordination.k8s.io\"], resources [\"leases\"], verbs [\"get\", \"list\", \"watch\", \"create\", \"update\"] (docs/health.md, RBAC).",
        };
        lock (_gate)
        {
            var key = Key(operation);
            var count = _refusals.TryGetValue(key, out var previous) && previous.Refusal.StatusCode == status ? previous.Refusal.Count + 1 : 1;
            var refusal = new LeaseRefusal(status.Value, operation, verb, problem, count, fix);
            _refusals[key] = (refusal, _time.GetTimestamp());
            if (count == PersistentAfter && _reported == problem)
            {
                // Already reported once (the same refusal came back after a success): keep it quiet.
                return refusal with { Count = PersistentAfter + 1 };
            }

            if (count == PersistentAfter)
            {
                _reported = problem;
            }

            return refusal;
        }
    }

    /// <summary>acquire and renew are both writes of the Lease: one refusal.</summary>
    private static string Key(string operation) => operation is "acquire" or "renew" or "release" ? "write" : operation;

    private static string DefaultVerb(string operation) => operation switch
    {
        "read" => "get",
        "watch" => "watch",
        "renew" or "release" => "update",
        _ => "create/update",
    };

    /// <summary>The API server's Forbidden message: 'User "x" cannot create resource "leases" in API group ...'.</summary>
    [GeneratedRegex("cannot (?<verb>[a-z]+) resource", RegexOptions.CultureInvariant)]
    private static partial Regex ForbiddenVerb();
}
