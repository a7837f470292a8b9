using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// core/v1 Event ⇄ events.k8s.io/v1 Event, field by field as the API server converts them (both are one
/// internal type): involvedObject is regarding, message is note, reportingComponent is reportingController,
/// and source, firstTimestamp, lastTimestamp and count are the deprecated* fields.
/// </summary>
internal static class EventConversion
{
    private static readonly (string Core, string EventsV1)[] Renamed =
    [
        ("involvedObject", "regarding"),
        ("message", "note"),
        ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
    ];

    /// <summary>The conversion of events.k8s.io/v1 Events stored as <paramref name="coreEvents"/>.</summary>
    public static ResourceConversion ForEventsV1(ResourceType coreEvents)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reason"] = "reason",
            ["reportingController"] = "reportingComponent",
            ["type"] = "type",
        };
        foreach (var field in new[] { "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath" })
        {
            labels[$"regarding.{field}"] = $"involvedObject.{field}";
        }

        return new ResourceConversion(coreEvents, ToCore, ToEventsV1, labels);
    }

    private static JsonObject ToEventsV1(JsonObject core)
    {
        var converted = Rename(core, Renamed.Select(r => (r.Core, r.EventsV1)));
        converted["apiVersion"] = "events.k8s.io/v1";
        converted["eventTime"] ??= null; // required in events.k8s.io/v1, so written even when unset
        return converted;
    }

    private static JsonObject ToCore(JsonObject eventsV1)
    {
        var converted = Rename(eventsV1, Renamed.Select(r => (r.EventsV1, r.Core)));
        converted["apiVersion"] = "v1";
        return converted;
    }

    private static JsonObject Rename(JsonObject source, IEnumerable<(string From, string To)> renames)
    {
        var copy = (JsonObject)source.DeepClone();
        foreach (var (from, to) in renames)
        {
            if (copy.Remove(from, out var value))
            {
                copy[to] = value;
            }
        }

        return copy;
    }
}
