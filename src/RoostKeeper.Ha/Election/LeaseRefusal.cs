using System.Globalization;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The API server keeps refusing a Lease call in a way retrying cannot fix (403 or 401: RBAC or credentials;
/// 404 on a write: the namespace or the Lease API does not exist): what was refused and what to do about it.
/// Read it from <c>HaManager.LeaseRefusal</c>, for a liveness or readiness probe of your own.
/// </summary>
/// <param name="StatusCode">The HTTP status of the refusals.</param>
/// <param name="Operation">The elector's operation (read, watch, acquire, renew).</param>
/// <param name="Verb">The Kubernetes verb that was refused (from the server's message when it names one).</param>
/// <param name="Problem">The server's answer, as one line.</param>
/// <param name="Count">Refusals in a row.</param>
/// <param name="Fix">What to change.</param>
public sealed record LeaseRefusal(int StatusCode, string Operation, string Verb, string Problem, int Count, string Fix)
{
    /// <summary>The refusal as one sentence for a health description or a log: what was refused, the server's words, and the fix.</summary>
    /// <param name="identity">The replica refused.</param>
    /// <param name="lease">The Lease, as "Lease namespace/name".</param>
    /// <returns>For example <c>replica-a cannot update Lease ops/roost: the API server refused it 3 times in a row (403 Forbidden: …). Add this rule …</c>.</returns>
    public string Describe(string identity, string lease) =>
        string.Create(CultureInfo.InvariantCulture, $"{identity} cannot {Verb} {lease}: the API server refused it {Count} times in a row ({Problem}). {Fix}");
}
