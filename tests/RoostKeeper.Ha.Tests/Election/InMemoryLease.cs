using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>
/// One Lease held in memory with the API server's semantics that the elector relies on: conditional
/// writes by resourceVersion, watch events in order, 410 after compaction. Clients can be cut off.
/// </summary>
internal sealed class InMemoryLease
{
    private readonly object _gate = new();
    private readonly List<Channel<(WatchEventType, V1Lease)>> _watchers = [];
    private readonly List<(long Version, WatchEventType Type, V1Lease Lease)> _history = [];
    private V1Lease? _lease;
    private long _version;

    public const string Namespace = "roost";
    public const string Name = "roost-lease";

    public List<V1Lease> Writes { get; } = [];

    public V1Lease? Current
    {
        get
        {
            lock (_gate)
            {
                return _lease is null ? null : Copy(_lease);
            }
        }
    }

    public Client ClientFor(string name) => new(this, name);

    /// <summary>A write from outside the elector (kubectl, another tool), bumping the resourceVersion.</summary>
    public V1Lease Edit(Action<V1Lease> change)
    {
        lock (_gate)
        {
            var copy = Copy(_lease ?? throw new InvalidOperationException("no lease"));
            change(copy);
            return Commit(copy, WatchEventType.Modified);
        }
    }

    /// <summary>Deletes the Lease, as kubectl delete would.</summary>
    public void Delete()
    {
        lock (_gate)
        {
            var gone = Copy(_lease ?? throw new InvalidOperationException("no lease"));
            _lease = null;
            gone.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
            _history.Add((_version, WatchEventType.Deleted, Copy(gone)));
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite((WatchEventType.Deleted, Copy(gone)));
            }
        }
    }

    /// <summary>
    /// An etcd restore (or a switch to another API server): the Lease keeps its content but resourceVersions
    /// start again from <paramref name="version"/>, lower than before; history is gone and watches drop.
    /// </summary>
    public void RestoreWithVersion(long version)
    {
        lock (_gate)
        {
            _version = version;
            _history.Clear();
            if (_lease is not null)
            {
                _lease.Metadata.ResourceVersion = version.ToString(CultureInfo.InvariantCulture);
            }
        }

        DropWatches();
    }

    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
        }
    }

    /// <summary>Drops every open watch, as an API server restart would.</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete(new HttpRequestException("connection reset"));
            }

            _watchers.Clear();
        }
    }

    private V1Lease Commit(V1Lease lease, WatchEventType type)
    {
        lease.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        _lease = lease;
        Writes.Add(Copy(lease));
        _history.Add((_version, type, Copy(lease)));
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite((type, Copy(lease)));
        }

        return Copy(lease);
    }

    private static V1Lease Copy(V1Lease lease) => KubernetesJson.Deserialize<V1Lease>(KubernetesJson.Serialize(lease));

    internal sealed class Client(InMemoryLease store, string name) : ILeaseClient
    {
        public string Namespace => InMemoryLease.Namespace;

        public string Name => InMemoryLease.Name;

        public string ClientName { get; } = name;

        public volatile bool Partitioned;

        public volatile bool WatchBroken;

        public int Gets;
        public int Replaces;
        public int Creates;
        public int Watches;

        /// <summary>Runs before each write is applied (under no lock); lets a test see what the elector did when.</summary>
        public Action<V1Lease>? BeforeWrite { get; set; }

        /// <summary>Awaited before a create is applied (under no lock): lets a test hold a create in flight without blocking a thread.</summary>
        public Func<V1Lease, CancellationToken, Task>? CreateGate { get; set; }

        /// <summary>Awaited before a read is answered: lets a test hold a read in flight (or fail it late).</summary>
        public Func<CancellationToken, Task>? ReadGate { get; set; }

        /// <summary>Awaited before a replace is applied: lets a test hold a write in flight (or fail it late).</summary>
        public Func<V1Lease, CancellationToken, Task>? WriteGate { get; set; }

        public async Task<V1Lease?> GetAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Gets);
            ThrowIfCut(cancellationToken);
            if (ReadGate is { } gate)
            {
                await gate(cancellationToken);
            }

            lock (store._gate)
            {
                return store._lease is null ? null : Copy(store._lease);
            }
        }

        public async Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Creates);
            ThrowIfCut(cancellationToken);
            BeforeWrite?.Invoke(lease);
            if (CreateGate is { } gate)
            {
                await gate(lease, cancellationToken);
            }

            lock (store._gate)
            {
                if (store._lease is not null)
                {
                    throw new LeaseConflictException("exists");
                }

                var copy = Copy(lease);
                copy.Metadata.Uid = Guid.NewGuid().ToString();
                return store.Commit(copy, WatchEventType.Added);
            }
        }

        public async Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Replaces);
            ThrowIfCut(cancellationToken);
            BeforeWrite?.Invoke(lease);
            if (WriteGate is { } gate)
            {
                await gate(lease, cancellationToken);
            }

            lock (store._gate)
            {
                if (store._lease is null || lease.Metadata.ResourceVersion != store._lease.Metadata.ResourceVersion)
                {
                    throw new LeaseConflictException("stale");
                }

                return store.Commit(Copy(lease), WatchEventType.Modified);
            }
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchAsync(string? resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Watches);
            ThrowIfCut(cancellationToken);
            if (WatchBroken)
            {
                throw new HttpRequestException("watch is not supported here");
            }

            var channel = Channel.CreateUnbounded<(WatchEventType, V1Lease)>();
            lock (store._gate)
            {
                if (resourceVersion is not null)
                {
                    var since = long.Parse(resourceVersion, CultureInfo.InvariantCulture);
                    if (since < store._version && !store._history.Any(h => h.Version == since + 1))
                    {
                        throw new LeaseWatchExpiredException("too old resource version");
                    }

                    foreach (var (version, type, lease) in store._history.Where(h => h.Version > since))
                    {
                        channel.Writer.TryWrite((type, Copy(lease)));
                    }
                }
                else if (store._lease is not null)
                {
                    channel.Writer.TryWrite((WatchEventType.Added, Copy(store._lease)));
                }

                store._watchers.Add(channel);
            }

            try
            {
                while (true)
                {
                    (WatchEventType, V1Lease) item;
                    try
                    {
                        if (!await channel.Reader.WaitToReadAsync(cancellationToken))
                        {
                            await channel.Reader.Completion; // rethrows a drop
                            yield break;
                        }

                        if (Partitioned)
                        {
                            throw new HttpRequestException("connection reset (partitioned)");
                        }

                        if (!channel.Reader.TryRead(out item))
                        {
                            continue;
                        }
                    }
                    catch (ChannelClosedException e) when (e.InnerException is not null)
                    {
                        throw e.InnerException;
                    }

                    yield return item;
                }
            }
            finally
            {
                lock (store._gate)
                {
                    store._watchers.Remove(channel);
                }
            }
        }

        /// <summary>Cuts the client off and drops its watches.</summary>
        public void Partition()
        {
            Partitioned = true;
            lock (store._gate)
            {
                foreach (var watcher in store._watchers)
                {
                    watcher.Writer.TryWrite(default);
                }
            }
        }

        private void ThrowIfCut(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Partitioned)
            {
                throw new HttpRequestException($"connection refused ({ClientName} is partitioned)");
            }
        }
    }
}
