namespace RoostKeeper.Ha.Election;

/// <summary>The callbacks registered on an <c>HaManager</c> (or through the DI builder); snapshots are taken when they are invoked.</summary>
internal sealed class LeadershipCallbacks
{
    private readonly object _gate = new();
    private readonly List<Func<Leadership, CancellationToken, Task>> _started = [];
    private readonly List<Action> _stopped = [];
    private readonly List<Action<string>> _newLeader = [];

    public void AddStarted(Func<Leadership, CancellationToken, Task> callback)
    {
        lock (_gate)
        {
            _started.Add(callback);
        }
    }

    public void AddStopped(Action callback)
    {
        lock (_gate)
        {
            _stopped.Add(callback);
        }
    }

    public void AddNewLeader(Action<string> callback)
    {
        lock (_gate)
        {
            _newLeader.Add(callback);
        }
    }

    public Func<Leadership, CancellationToken, Task>[] Started()
    {
        lock (_gate)
        {
            return [.. _started];
        }
    }

    public Action[] Stopped()
    {
        lock (_gate)
        {
            return [.. _stopped];
        }
    }

    public Action<string>[] NewLeader()
    {
        lock (_gate)
        {
            return [.. _newLeader];
        }
    }
}
