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

/// <summary>Lists and paging: every page of a list is served from the snapshot of its first page, and continue tokens carry that revision (410 once it is compacted away).</summary>
internal sealed partial class ObjectStore
{
    /// <summary>
    /// Lists the matching objects, paged by <paramref name="limit"/> with an opaque continue token. Every page of one
    /// list shows the objects as they stood when its first page was read (etcd serves continuations at that
    /// revision), and remainingItemCount is only counted for lists without selectors, as the real server does.
    /// </summary>
    public ListResult List(WatchFilter filter, int? limit = null, string? continueToken = null)
    {
        lock (_gate)
        {
            var (startAfter, tokenVersion) = DecodeContinue(continueToken);
            if (continueToken is not null && tokenVersion < _compactedThrough)
            {
                throw ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }

            var snapshotVersion = tokenVersion ?? _resourceVersion;
            IEnumerable<KeyValuePair<(string Namespace, string Name), JsonObject>> candidates =
                snapshotVersion < _resourceVersion ? SnapshotAt(filter.Type, snapshotVersion) : Bucket(filter.Type);
            if (filter.Namespace is { } ns)
            {
                candidates = candidates.Where(p => p.Key.Namespace == ns);
            }

            if (filter.Fields.Name is { } pinned)
            {
                candidates = candidates.Where(p => p.Key.Name == pinned);
            }

            if (startAfter is { } after)
            {
                candidates = candidates.Where(p => Compare(p.Key, after) > 0);
            }

            var matching = candidates.Select(p => p.Value).Where(o => filter.Labels.Matches(o) && filter.Fields.Matches(o)).ToList();
            if (limit is not > 0 || matching.Count <= limit)
            {
                return new ListResult(matching, snapshotVersion, null, null);
            }

            var page = matching.Take(limit.Value).ToList();
            var last = page[^1];
            var token = EncodeContinue(ObjectMeta.Namespace(last) ?? "", ObjectMeta.Name(last), snapshotVersion);
            var selects = !ReferenceEquals(filter.Labels, LabelSelector.Everything) || !ReferenceEquals(filter.Fields, FieldSelector.Everything);
            return new ListResult(page, snapshotVersion, token, selects ? null : matching.Count - page.Count);
        }
    }

    /// <summary>The objects of <paramref name="type"/> as they stood at <paramref name="version"/>: the current ones with later changes rolled back.</summary>
    private SortedDictionary<(string Namespace, string Name), JsonObject> SnapshotAt(ResourceType type, long version)
    {
        var snapshot = new SortedDictionary<(string Namespace, string Name), JsonObject>(Bucket(type), Comparer<(string, string)>.Create(Compare));
        for (var node = _history.Last; node is not null && node.Value.ResourceVersion > version; node = node.Previous)
        {
            var change = node.Value;
            if (change.ResourceType.StorageKey != type.StorageKey)
            {
                continue;
            }

            var key = (ObjectMeta.Namespace(change.After) ?? "", ObjectMeta.Name(change.After));
            if (change.Before is null)
            {
                snapshot.Remove(key);
            }
            else
            {
                snapshot[key] = change.Before;
            }
        }

        return snapshot;
    }

    private static string EncodeContinue(string ns, string name, long version)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["rv"] = version, ["ns"] = ns, ["name"] = name });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static ((string, string)? After, long? Version) DecodeContinue(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, null);
        }

        try
        {
            var node = JsonNode.Parse(Convert.FromBase64String(token))!;
            return ((node["ns"]!.GetValue<string>(), node["name"]!.GetValue<string>()), node["rv"]!.GetValue<long>());
        }
        catch (Exception e) when (e is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"invalid continue token: {e.Message}");
        }
    }
}
