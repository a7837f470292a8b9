using System.Globalization;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// client-go's core/v1 event recorder as kube-controller-manager uses it: an Event in the object's namespace
/// named <c>NAME.HEX-NANOSECONDS</c>, with source and reportingComponent the controller's name; the same
/// event again (same object, type, reason and message) bumps count and lastTimestamp, as the correlator does.
/// </summary>
internal sealed class EventRecorder
{
    /// <summary>Like the correlator's LRU cache: past this many distinct events the counts start afresh.</summary>
    private const int MaxRemembered = 4096;

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly string _component;
    private readonly Dictionary<string, string> _recorded = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private long _lastNanos;

    public EventRecorder(ObjectStore store, TimeProvider time, string component)
    {
        _store = store;
        _time = time;
        _component = component;
    }

    /// <summary>Records a Normal event about <paramref name="obj"/>; a failure is dropped, as the real recorder drops it.</summary>
    public void Normal(ResourceType type, JsonObject obj, string reason, string message)
    {
        var ns = ObjectMeta.Namespace(obj) ?? "default";
        var key = string.Join('\n', ObjectMeta.Uid(obj), "Normal", reason, message);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            try
            {
                if (_recorded.TryGetValue(key, out var existing) && Bump(ns, existing, now))
                {
                    return;
                }

                if (_recorded.Count >= MaxRemembered)
                {
                    _recorded.Clear();
                }

                _recorded[key] = Create(type, obj, ns, reason, message, now);
            }
            catch (ApiException)
            {
                // A terminating namespace refuses new objects; the real recorder logs and drops the event too.
            }
        }
    }

    private bool Bump(string ns, string name, DateTimeOffset now) =>
        _store.Mutate(ResourceRegistry.Events, ns, name, e =>
        {
            e["count"] = JsonFields.Int(e["count"], 1) + 1;
            e["lastTimestamp"] = ObjectMeta.Timestamp(now);
        }) is not null;

    private string Create(ResourceType type, JsonObject obj, string ns, string reason, string message, DateTimeOffset now)
    {
        // The real name carries the time in nanoseconds; a frozen TimeProvider must still give unique names.
        var nanos = Math.Max((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, _lastNanos + 1);
        _lastNanos = nanos;
        var timestamp = ObjectMeta.Timestamp(now);
        var body = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = ObjectMeta.Name(obj) + "." + nanos.ToString("x", CultureInfo.InvariantCulture),
                ["namespace"] = ns,
            },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = type.Kind,
                ["namespace"] = ns,
                ["name"] = ObjectMeta.Name(obj),
                ["uid"] = ObjectMeta.Uid(obj),
                ["apiVersion"] = type.Group.Length == 0 ? type.Version : type.Group + "/" + type.Version,
                ["resourceVersion"] = ObjectMeta.ResourceVersion(obj),
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = _component },
            ["firstTimestamp"] = timestamp,
            ["lastTimestamp"] = timestamp,
            ["count"] = 1,
            ["type"] = "Normal",
            ["eventTime"] = null,
            ["reportingComponent"] = _component,
            ["reportingInstance"] = "",
        };
        return ObjectMeta.Name(_store.Create(ResourceRegistry.Events, ns, body));
    }
}
