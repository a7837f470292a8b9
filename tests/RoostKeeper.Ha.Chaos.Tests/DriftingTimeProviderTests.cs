using RoostKeeper.Ha.Chaos.Clocks;

namespace RoostKeeper.Ha.Chaos.Tests;

/// <summary>
/// The per-replica clock of the chaos runner. Its readings are a pure function of the system clock's, so
/// bracketing a reading between two system readings gives exact bounds without timing anything.
/// </summary>
public sealed class DriftingTimeProviderTests
{
    [Theory]
    [InlineData(1.1)]
    [InlineData(0.9)]
    public void Timestamps_advance_at_the_rate(double rate)
    {
        var clock = new DriftingTimeProvider(rate);
        var realBefore = TimeProvider.System.GetTimestamp();
        var first = clock.GetTimestamp();
        var realInner = TimeProvider.System.GetTimestamp();
        Thread.Sleep(50);
        var realInnerEnd = TimeProvider.System.GetTimestamp();
        var second = clock.GetTimestamp();
        var realAfter = TimeProvider.System.GetTimestamp();

        var elapsed = second - first;
        Assert.InRange(elapsed, (long)((realInnerEnd - realInner) * rate) - 1, (long)((realAfter - realBefore) * rate) + 1);
    }

    [Fact]
    public void Changing_the_rate_continues_from_the_current_reading()
    {
        var clock = new DriftingTimeProvider(2.0);
        Thread.Sleep(20);
        var before = clock.GetTimestamp();

        clock.Rate = 0.5;

        Assert.True(clock.GetTimestamp() >= before, "the clock went backwards when its rate changed");
        Assert.Equal(0.5, clock.Rate);
    }

    [Fact]
    public void A_rate_that_is_not_positive_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DriftingTimeProvider(0));
        var clock = new DriftingTimeProvider(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Rate = -1);
    }

    [Fact]
    public async Task A_timer_on_a_fast_clock_fires_and_can_be_changed_and_disposed()
    {
        var clock = new DriftingTimeProvider(4.0);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var timer = clock.CreateTimer(_ => fired.TrySetResult(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.True(timer.Change(TimeSpan.FromMilliseconds(40), Timeout.InfiniteTimeSpan));

        await fired.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
