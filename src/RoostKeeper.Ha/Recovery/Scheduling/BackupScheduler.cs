using Cronos;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Recovery.Scheduling;

/// <summary>
/// Runs scheduled backups for as long as its token lives; it is registered as leader work, so only the
/// leader runs it and its token is cancelled the moment leadership ends.
/// <para>
/// No overlap: one loop runs one backup at a time. No double run across a hand-over: every scheduled
/// backup records its slot (<see cref="BackupInfo.ScheduledFor"/>) in the store, and a loop starting on a new
/// leader continues from the newest recorded slot: a slot the old leader completed is not run again; a slot
/// it was cancelled in (nothing committed, so nothing recorded) is run at once, as is the latest slot missed
/// while no one led (only the latest: a backup is a snapshot of now, so catching up older slots adds nothing).
/// With no scheduled backup in the store yet, the latest slot of the past week counts as missed, so a
/// schedule's first backup is made when it starts.
/// Assumed: the old leader's write of a slot finishes or is abandoned before the new leader reads the store
/// (leader work is cancelled before a lease can expire for the others); not guaranteed: fencing of a stalled
/// old leader's late commit, which at worst adds one extra backup of the same slot.
/// </para>
/// </summary>
internal sealed class BackupScheduler(RecoveryManager manager, string expression, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan RetryAfterStoreFailure = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FirstRunLookBack = TimeSpan.FromDays(7);

    private readonly CronExpression _cron = CronExpression.Parse(expression);

    public async Task RunAsync(CancellationToken leaderToken)
    {
        DateTimeOffset? lastAttempted = null;
        while (!leaderToken.IsCancellationRequested)
        {
            DateTimeOffset slot;
            try
            {
                slot = await NextSlotAsync(lastAttempted, leaderToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!leaderToken.IsCancellationRequested)
            {
                RecoveryLog.ScheduledBackupFailed(logger, time.GetUtcNow(), e);
                await Task.Delay(RetryAfterStoreFailure, time, leaderToken).ConfigureAwait(false);
                continue;
            }

            var wait = slot - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                RecoveryLog.NextScheduled(logger, slot, expression);
                await Task.Delay(wait, time, leaderToken).ConfigureAwait(false);
            }

            lastAttempted = slot;
            try
            {
                await manager.CreateBackupAsync(slot, null, leaderToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!leaderToken.IsCancellationRequested)
            {
                // Logged and counted by the manager too; the schedule goes on with the next slot.
                RecoveryLog.ScheduledBackupFailed(logger, slot, e);
            }
        }
    }

    private async Task<DateTimeOffset> NextSlotAsync(DateTimeOffset? lastAttempted, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var backups = await manager.ListBackupsAsync(cancellationToken).ConfigureAwait(false);
        var lastDone = backups.Where(b => b.ScheduledFor is not null).Select(b => b.ScheduledFor!.Value).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var from = lastAttempted is { } attempted && attempted > lastDone ? attempted : lastDone;
        if (from == DateTimeOffset.MinValue)
        {
            // No scheduled backup yet: the latest slot of the past week is due now (so a new deployment, or a
            // leader that died during the very first scheduled backup, does not wait a whole interval).
            from = now - FirstRunLookBack;
        }

        var missed = _cron.GetOccurrences(from, now, TimeZoneInfo.Utc, fromInclusive: false, toInclusive: true).LastOrDefault();
        return missed != default ? missed : _cron.GetNextOccurrence(from > now ? from : now, TimeZoneInfo.Utc) ?? throw NoOccurrence();
    }

    private InvalidOperationException NoOccurrence() => new($"Schedule \"{expression}\" has no next occurrence.");
}
