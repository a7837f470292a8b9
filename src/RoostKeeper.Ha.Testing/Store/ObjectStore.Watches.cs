using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>Watches and the bounded change history they resume from: replay after a resourceVersion, 410 Gone after compaction, and the ADDED/DELETED translation for selector watchers.</summary>
internal sealed partial class ObjectStore
{
    /// <summary>Forgets the change history, so that watches from any earlier resourceVersion get 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    /// <summary>
    /// Starts a watch. Without <paramref name="sinceVersion"/> it begins with a synthetic ADDED per
    /// current object (the API server's "start at most recent"); with one it replays the retained history
    /// after that version, or fails with 410 Gone when that history has been compacted away.
    /// </summary>
    public WatchSubscription Watch(WatchFilter filter, long? sinceVersion)
    {
        lock (_gate)
        {
            var channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
            if (sinceVersion is null or 0)
            {
                foreach (var obj in Bucket(filter.Type).Values.Where(o => filter.Matches(filter.Type, o)))
                {
                    channel.Writer.TryWrite(new WatchEvent("ADDED", obj, long.Parse(ObjectMeta.ResourceVersion(obj)!, CultureInfo.InvariantCulture)));
                }
            }
            else
            {
                if (sinceVersion < _compactedThrough)
                {
                    throw ApiException.Gone($"too old resource version: {sinceVersion} ({_compactedThrough + 1})");
                }

                foreach (var change in _history.Where(c => c.ResourceVersion > sinceVersion))
                {
                    if (Translate(filter, change) is { } e)
                    {
                        channel.Writer.TryWrite(e);
                    }
                }
            }

            var subscription = new WatchSubscription(this, filter, channel);
            _watchers.Add(subscription);
            return subscription;
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _watchers.Remove(subscription);
        }
    }

    /// <summary>Ends every watch, as the API server does when it shuts down.</summary>
    public void CloseAllWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Complete();
            }

            _watchers.Clear();
        }
    }

    private void Record(StoredChange change)
    {
        _history.AddLast(change);
        while (_history.Count > _historyLimit)
        {
            _compactedThrough = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var watcher in _watchers)
        {
            if (Translate(watcher.Filter, change) is { } e)
            {
                watcher.Publish(e);
            }
        }
    }

    /// <summary>
    /// What a filtered watcher sees of a change: an object that starts matching the selector is ADDED to
    /// it, one that stops matching is DELETED from it, as the API server's watch cache does.
    /// </summary>
    private static WatchEvent? Translate(WatchFilter filter, StoredChange change)
    {
        var matchesAfter = filter.Matches(change.ResourceType, change.After);
        var matchesBefore = change.Before is not null && filter.Matches(change.ResourceType, change.Before);
        var type = change.Type switch
        {
            "ADDED" when matchesAfter => "ADDED",
            "DELETED" when matchesBefore || matchesAfter => "DELETED",
            "MODIFIED" when matchesBefore && matchesAfter => "MODIFIED",
            "MODIFIED" when matchesAfter => "ADDED",
            "MODIFIED" when matchesBefore => "DELETED",
            _ => null,
        };
        return type is null ? null : new WatchEvent(type, change.After, change.ResourceVersion);
    }
}
