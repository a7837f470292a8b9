namespace RoostKeeper.Ha.Chaos.Clocks;

/// <summary>
/// A clock that runs at <see cref="Rate"/> times real time (1.02 = 2 % fast), wrapping
/// <see cref="TimeProvider.System"/>: timestamps, wall time and timers all run at that rate, as a replica's
/// would on a machine whose oscillator is off. The rate can change while it runs; the clock never jumps.
/// </summary>
internal sealed class DriftingTimeProvider : TimeProvider
{
    private readonly object _gate = new();
    private readonly DateTimeOffset _utcAtStart;
    private readonly long _virtualAtStart;
    private long _realOrigin;
    private long _virtualOrigin;
    private double _rate;

    public DriftingTimeProvider(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0);
        _rate = rate;
        _realOrigin = System.GetTimestamp();
        _virtualOrigin = _realOrigin;
        _virtualAtStart = _realOrigin;
        _utcAtStart = System.GetUtcNow();
    }

    /// <summary>How fast this clock runs compared with real time.</summary>
    public double Rate
    {
        get => Volatile.Read(ref _rate);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, 0);
            lock (_gate)
            {
                // Re-base so the clock continues from where it is, at the new rate.
                var real = System.GetTimestamp();
                _virtualOrigin += (long)((real - _realOrigin) * _rate);
                _realOrigin = real;
                _rate = value;
            }
        }
    }

    public override long TimestampFrequency => System.TimestampFrequency;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _virtualOrigin + (long)((System.GetTimestamp() - _realOrigin) * _rate);
        }
    }

    public override DateTimeOffset GetUtcNow() =>
        _utcAtStart + TimeSpan.FromSeconds((double)(GetTimestamp() - _virtualAtStart) / TimestampFrequency);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new DriftingTimer(this, System.CreateTimer(callback, state, ToReal(dueTime), ToReal(period)));

    /// <summary>How long a span on this clock lasts in real time.</summary>
    private TimeSpan ToReal(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(1, (long)(span.Ticks / Rate)));

    private sealed class DriftingTimer(DriftingTimeProvider clock, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.ToReal(dueTime), clock.ToReal(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
