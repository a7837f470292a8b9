using System.Diagnostics;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// Waits for an outcome, never for a duration: polls a condition every <c>interval</c> until it holds, and fails
/// the test, saying what it waited for (and what it saw last), once <c>patience</c> has passed. The machine that
/// runs the tests is shared and noisy, so patience is generous and only bounds a hang; callers pass their own.
/// </summary>
public static class Eventually
{
    /// <summary>The patience when a caller names none: long enough for a loaded CI machine.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(30);

    /// <summary>The pause between two polls when a caller names none.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? patience = null, TimeSpan? interval = null, Func<string>? context = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, patience, interval, context);

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null, TimeSpan? interval = null, Func<string>? context = null)
    {
        await UntilAsync(condition, done => done, what, patience, interval, context is null ? null : _ => context());
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value, and returns that value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? patience = null, TimeSpan? interval = null, Func<T, string>? describe = null)
    {
        var limit = patience ?? DefaultPatience;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var last = await probe();
            if (done(last))
            {
                return last;
            }

            if (clock.Elapsed > limit)
            {
                var seen = describe is null ? "" : $"; last seen: {describe(last)}";
                Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting until {what}{seen}.");
            }

            await Task.Delay(interval ?? DefaultInterval, CancellationToken.None);
        }
    }
}
