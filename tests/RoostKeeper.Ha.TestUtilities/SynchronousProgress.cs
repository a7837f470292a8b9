namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, before <c>Report</c> returns, one report at a
/// time. <see cref="Progress{T}"/> posts to the thread pool, so a test reading the reports after the operation
/// returned could miss the last ones, or see them out of order; this one cannot.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly object _gate = new();

    public void Report(T value)
    {
        lock (_gate)
        {
            report(value);
        }
    }
}
