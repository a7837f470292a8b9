using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Sharding;

/// <summary>What runs for each owned shard (OnShardAcquired callbacks, AddShardedHostedService instances) and after it is given up.</summary>
internal sealed class ShardWork
{
    private readonly List<(string Name, Func<OwnedShard, CancellationToken, Task> Run)> _acquired = [];
    private readonly List<Action<OwnedShard>> _released = [];

    public void AddAcquired(string name, Func<OwnedShard, CancellationToken, Task> run) => _acquired.Add((name, run));

    public void AddReleased(Action<OwnedShard> callback) => _released.Add(callback);

    /// <summary>
    /// Starts every piece of the shard's work; the task completes when all have returned, and faults (with the first
    /// failure) as soon as one throws while the shard's token is live: the shard is then released.
    /// </summary>
    public Task Start(OwnedShard shard)
    {
        if (_acquired.Count == 0)
        {
            return Task.CompletedTask;
        }

        var runs = _acquired.Select(a => Task.Run(() => a.Run(shard, shard.Token), CancellationToken.None)).ToArray();
        return WhenAllOrFirstFailure(runs, shard.Token);
    }

    private static async Task WhenAllOrFirstFailure(Task[] runs, CancellationToken token)
    {
        var pending = runs.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            if (done.IsFaulted || (done.IsCanceled && !token.IsCancellationRequested))
            {
                await done.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the OnShardReleased callbacks; one that throws is logged and the others still run.</summary>
    public void Released(OwnedShard shard, ILogger logger)
    {
        foreach (var callback in _released)
        {
            try
            {
                callback(shard);
            }
            catch (Exception e)
            {
                ShardingLog.CallbackFailed(logger, shard.Identity, "OnShardReleased", e);
            }
        }
    }
}
