namespace RoostKeeper.Ha.Election;

/// <summary>One API call's budget: cancelled by its callers' tokens or when its time runs out on the provider's clock.</summary>
internal sealed class Attempt : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;

    public Attempt(CancellationToken token, TimeSpan timeout, TimeProvider time)
        : this(token, CancellationToken.None, timeout, time)
    {
    }

    public Attempt(CancellationToken first, CancellationToken second, TimeSpan timeout, TimeProvider time)
    {
        _timeout = new CancellationTokenSource(ElectionTiming.Clamp(timeout), time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(first, second, _timeout.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
