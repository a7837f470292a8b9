using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>
/// Leases of one namespace in memory with the API server semantics sharding relies on: one resourceVersion counter,
/// conditional replaces, label-selected list+watch in order. Clients can be cut off and made to fail.
/// </summary>
internal sealed class InMemoryShardLeases
{
    public const string Namespace = "roost";

    private readonly object _gate = new();
    private readonly Dictionary<string, V1Lease> _leases = new(StringComparer.Ordinal);
    private readonly List<(string Selector, Channel<(WatchEventType, V1Lease)> Channel, Client Owner)> _watchers = [];
    private long _version;

    public Client ClientFor(string name) => new(this, name);

    public V1Lease? Get(string name)
    {
        lock (_gate)
        {
            return _leases.TryGetValue(name, out var lease) ? Copy(lease) : null;
        }
    }

    /// <summary>A write from outside (kubectl): changes the Lease and bumps its version.</summary>
    public void Edit(string name, Action<V1Lease> change)
    {
        lock (_gate)
        {
            var copy = Copy(_leases[name]);
            change(copy);
            Commit(copy, WatchEventType.Modified);
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            if (_leases.Remove(name, out var gone))
            {
                gone.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
                Notify(WatchEventType.Deleted, gone);
            }
        }
    }

    private V1Lease Commit(V1Lease lease, WatchEventType type)
    {
        lease.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        _leases[lease.Metadata.Name] = lease;
        Notify(type, lease);
        return Copy(lease);
    }

    private void Notify(WatchEventType type, V1Lease lease)
    {
        foreach (var (selector, channel, _) in _watchers)
        {
            if (Matches(lease, selector))
            {
                channel.Writer.TryWrite((type, Copy(lease)));
            }
        }
    }

    private static bool Matches(V1Lease lease, string selector)
    {
        var (key, value) = (selector[..selector.IndexOf('=', StringComparison.Ordinal)], selector[(selector.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        return lease.Metadata?.Labels?.TryGetValue(key, out var v) == true && v == value;
    }

    private static V1Lease Copy(V1Lease lease) => KubernetesJson.Deserialize<V1Lease>(KubernetesJson.Serialize(lease));

    internal sealed class Client(InMemoryShardLeases store, string name) : IShardLeases
    {
        private readonly Queue<Exception> _failures = new();

        public string Namespace => InMemoryShardLeases.Namespace;

        public string Name { get; } = name;

        public volatile bool Partitioned;

        public int Writes;

        /// <summary>Awaited before a replace is applied: lets a test hold a write in flight.</summary>
        public Func<V1Lease, CancellationToken, Task>? WriteGate { get; set; }

        /// <summary>The next writes fail with these, in order (5xx, timeouts).</summary>
        public void FailNextWrites(params Exception[] failures)
        {
            lock (_failures)
            {
                foreach (var failure in failures)
                {
                    _failures.Enqueue(failure);
                }
            }
        }

        public static Exception ServerError(HttpStatusCode status) =>
            new HttpOperationException($"Operation returned an invalid status code '{status}'") { Response = new HttpResponseMessageWrapper(new HttpResponseMessage(status), "") };

        public Task<(IReadOnlyList<V1Lease> Items, string? ResourceVersion)> ListAsync(string labelSelector, CancellationToken cancellationToken)
        {
            ThrowIfCut(cancellationToken);
            lock (store._gate)
            {
                IReadOnlyList<V1Lease> items = store._leases.Values.Where(l => Matches(l, labelSelector)).Select(Copy).ToList();
                return Task.FromResult((items, (string?)store._version.ToString(CultureInfo.InvariantCulture)));
            }
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchAsync(string labelSelector, string? resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            ThrowIfCut(cancellationToken);
            var channel = Channel.CreateUnbounded<(WatchEventType, V1Lease)>();
            lock (store._gate)
            {
                if (resourceVersion != store._version.ToString(CultureInfo.InvariantCulture))
                {
                    throw new LeaseWatchExpiredException("too old resource version"); // No history kept: the watcher lists again.
                }

                store._watchers.Add((labelSelector, channel, this));
            }

            try
            {
                while (await channel.Reader.WaitToReadAsync(cancellationToken))
                {
                    if (Partitioned)
                    {
                        throw new HttpRequestException("connection reset (partitioned)");
                    }

                    if (channel.Reader.TryRead(out var item))
                    {
                        yield return item;
                    }
                }
            }
            finally
            {
                lock (store._gate)
                {
                    store._watchers.RemoveAll(w => w.Channel == channel);
                }
            }
        }

        public Task<V1Lease?> GetAsync(string name, CancellationToken cancellationToken)
        {
            ThrowIfCut(cancellationToken);
            return Task.FromResult(store.Get(name));
        }

        public async Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken)
        {
            await BeforeWriteAsync(lease, cancellationToken);
            lock (store._gate)
            {
                if (store._leases.ContainsKey(lease.Metadata.Name))
                {
                    throw new LeaseConflictException("exists");
                }

                return store.Commit(Copy(lease), WatchEventType.Added);
            }
        }

        public async Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken)
        {
            await BeforeWriteAsync(lease, cancellationToken);
            lock (store._gate)
            {
                if (!store._leases.TryGetValue(lease.Metadata.Name, out var current) || current.Metadata.ResourceVersion != lease.Metadata.ResourceVersion)
                {
                    throw new LeaseConflictException("stale");
                }

                return store.Commit(Copy(lease), WatchEventType.Modified);
            }
        }

        public async Task DeleteAsync(string name, string? resourceVersion, CancellationToken cancellationToken)
        {
            await BeforeWriteAsync(null, cancellationToken);
            lock (store._gate)
            {
                if (resourceVersion is not null && store._leases.TryGetValue(name, out var current) && current.Metadata.ResourceVersion != resourceVersion)
                {
                    throw new LeaseConflictException("changed");
                }

                store.Delete(name);
            }
        }

        /// <summary>Cuts the client off; its open watches fail on their next event.</summary>
        public void Partition()
        {
            Partitioned = true;
            lock (store._gate)
            {
                foreach (var (_, channel, owner) in store._watchers)
                {
                    if (owner == this)
                    {
                        channel.Writer.TryWrite(default);
                    }
                }
            }
        }

        private async Task BeforeWriteAsync(V1Lease? lease, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Writes);
            ThrowIfCut(cancellationToken);
            Exception? failure = null;
            lock (_failures)
            {
                _failures.TryDequeue(out failure);
            }

            if (failure is not null)
            {
                throw failure;
            }

            if (lease is not null && WriteGate is { } gate)
            {
                await gate(lease, cancellationToken);
                ThrowIfCut(cancellationToken);
            }
        }

        private void ThrowIfCut(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Partitioned)
            {
                throw new HttpRequestException($"connection refused ({Name} is partitioned)");
            }
        }
    }
}
