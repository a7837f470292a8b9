namespace RoostKeeper.Ha.Election;

/// <summary>
/// The API server keeps refusing a Lease call in a way retrying cannot fix (403 or 401: RBAC or credentials;
/// 404 on a write: the namespace or the Lease API does not exist): what was refused and what to do about it.
/// </summary>
/// <param name="StatusCode">The HTTP status of the refusals.</param>
/// <param name="Operation">The elector's operation (read, watch, acquire, renew).</param>
/// <param name="Verb">The Kubernetes verb that was refused (from the server's message when it names one).</param>
/// <param name="Problem">The server's answer, as one line.</param>
/// <param name="Count">Refusals in a row.</param>
/// <param name="Fix">What to change.</param>
internal sealed record LeaseRefusal(int StatusCode, string Operation, string Verb, string Problem, int Count, string Fix);
