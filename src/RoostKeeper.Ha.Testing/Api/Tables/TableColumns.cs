using System.Globalization;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api.Tables;

/// <summary>
/// The columns the API server's printers give each type (kubernetes pkg/printers/internalversion/printers.go),
/// for the types the simulator serves; a custom resource gets its CRD's <c>additionalPrinterColumns</c>; any
/// other type the server's default: Name and Created At.
/// </summary>
internal static class TableColumns
{
    private const string None = "<none>";

    public static IReadOnlyList<TableColumn> For(ResourceType type)
    {
        if (type.IsCustom)
        {
            return [NameColumn, .. CustomColumns(type)];
        }

        var columns = (type.Group, type.Plural) switch
        {
            ("", "pods") => Pods(),
            ("apps", "deployments") => Deployments(),
            ("apps", "replicasets") => ReplicaSets(),
            ("apps", "statefulsets") =>
            [
                new TableColumn("Ready", "string", 0, (o, _) => $"{Int(o, "status", "readyReplicas")}/{Int(o, "spec", "replicas")}"),
                Age, Containers, Images,
            ],
            ("apps", "daemonsets") =>
            [
                IntColumn("Desired", "status", "desiredNumberScheduled"), IntColumn("Current", "status", "currentNumberScheduled"),
                IntColumn("Ready", "status", "numberReady"), IntColumn("Up-to-date", "status", "updatedNumberScheduled"),
                IntColumn("Available", "status", "numberAvailable"),
                new TableColumn("Node Selector", "string", 0, (o, _) => Pairs(o["spec"]?["template"]?["spec"]?["nodeSelector"] as JsonObject) is { Length: > 0 } s ? s : None),
                Age, Containers, Images, Selector,
            ],
            ("batch", "jobs") => JobColumns.For(Age, Containers, Images, Selector),
            ("", "services") => Services(),
            ("", "configmaps") => [new TableColumn("Data", "integer", 0, (o, _) => Count(o["data"]) + Count(o["binaryData"])), Age],
            ("", "secrets") =>
            [
                new TableColumn("Type", "string", 0, (o, _) => Text(o["type"]) ?? "Opaque"),
                new TableColumn("Data", "integer", 0, (o, _) => Count(o["data"])), Age,
            ],
            ("", "namespaces") => [new TableColumn("Status", "string", 0, (o, _) => Text(o["status"]?["phase"]) ?? "Active"), Age],
            ("", "serviceaccounts") => [new TableColumn("Secrets", "integer", 0, (o, _) => Count(o["secrets"])), Age],
            ("", "nodes") =>
            [
                new TableColumn("Status", "string", 0, (o, _) => (o["status"]?["conditions"] as JsonArray)?.Any(c => Text(c?["type"]) == "Ready" && Text(c?["status"]) == "True") == true ? "Ready" : "NotReady"),
                new TableColumn("Roles", "string", 0, (_, _) => None), Age,
                new TableColumn("Version", "string", 0, (o, _) => Text(o["status"]?["nodeInfo"]?["kubeletVersion"]) ?? ""),
            ],
            ("", "endpoints") => [new TableColumn("Endpoints", "string", 0, (o, _) => EndpointAddresses(o)), Age],
            ("", "events") => Events(),
            ("coordination.k8s.io", "leases") => [new TableColumn("Holder", "string", 0, (o, _) => Text(o["spec"]?["holderIdentity"]) ?? ""), Age],
            ("discovery.k8s.io", "endpointslices") =>
            [
                new TableColumn("AddressType", "string", 0, (o, _) => Text(o["addressType"]) ?? ""),
                new TableColumn("Ports", "string", 0, (o, _) => Join((o["ports"] as JsonArray)?.Select(p => Text(p?["port"]) ?? "")) is { Length: > 0 } p ? p : "<unset>"),
                new TableColumn("Endpoints", "string", 0, (o, _) => Join((o["endpoints"] as JsonArray)?.SelectMany(e => (e?["addresses"] as JsonArray ?? []).Select(a => Text(a) ?? ""))) is { Length: > 0 } e ? e : "<unset>"),
                Age,
            ],
            ("autoscaling", "scale") => [IntColumn("Desired", "spec", "replicas"), IntColumn("Available", "status", "replicas")],
            ("policy", "poddisruptionbudgets") =>
            [
                new TableColumn("Min Available", "string", 0, (o, _) => Text(o["spec"]?["minAvailable"]) ?? "N/A"),
                new TableColumn("Max Unavailable", "string", 0, (o, _) => Text(o["spec"]?["maxUnavailable"]) ?? "N/A"),
                IntColumn("Allowed Disruptions", "status", "disruptionsAllowed"), Age,
            ],
            _ => (TableColumn[])[new TableColumn("Created At", "date", 0, (o, _) => Text(o["metadata"]?["creationTimestamp"]))],
        };
        return [NameColumn, .. columns];
    }

    private static TableColumn NameColumn { get; } = new("Name", "string", 0, (o, _) => ObjectMeta.Name(o), "name");

    private static TableColumn Age { get; } = new("Age", "string", 0, (o, now) => AgeOf(Text(o["metadata"]?["creationTimestamp"]), now));

    private static TableColumn Containers { get; } = new("Containers", "string", 1, (o, _) => Join(PodTemplateContainers(o).Select(c => Text(c?["name"]) ?? "")));

    private static TableColumn Images { get; } = new("Images", "string", 1, (o, _) => Join(PodTemplateContainers(o).Select(c => Text(c?["image"]) ?? "")));

    private static TableColumn Selector { get; } = new("Selector", "string", 1, (o, _) => Pairs(o["spec"]?["selector"]?["matchLabels"] as JsonObject) is { Length: > 0 } s ? s : None);

    private static TableColumn[] Pods() =>
    [
        new("Ready", "string", 0, (o, _) =>
        {
            var statuses = o["status"]?["containerStatuses"] as JsonArray ?? [];
            var total = Math.Max(Count(o["spec"]?["containers"]), statuses.Count);
            return $"{statuses.Count(s => JsonFields.Bool(s?["ready"]))}/{total}";
        }),
        new("Status", "string", 0, (o, _) => PodStatus(o)),
        new("Restarts", "string", 0, (o, _) => (o["status"]?["containerStatuses"] as JsonArray ?? []).Sum(s => JsonFields.Int(s?["restartCount"], 0)).ToString(CultureInfo.InvariantCulture)),
        Age,
        new("IP", "string", 1, (o, _) => Text(o["status"]?["podIP"]) ?? None),
        new("Node", "string", 1, (o, _) => Text(o["spec"]?["nodeName"]) ?? None),
        new("Nominated Node", "string", 1, (o, _) => Text(o["status"]?["nominatedNodeName"]) ?? None),
        new("Readiness Gates", "string", 1, (_, _) => None),
    ];

    private static TableColumn[] Deployments() =>
    [
        new("Ready", "string", 0, (o, _) => $"{Int(o, "status", "readyReplicas")}/{Int(o, "spec", "replicas")}"),
        IntColumn("Up-to-date", "status", "updatedReplicas"),
        IntColumn("Available", "status", "availableReplicas"),
        Age, Containers, Images, Selector,
    ];

    private static TableColumn[] ReplicaSets() =>
    [
        IntColumn("Desired", "spec", "replicas"), IntColumn("Current", "status", "replicas"), IntColumn("Ready", "status", "readyReplicas"),
        Age, Containers, Images, Selector,
    ];

    private static TableColumn[] Services() =>
    [
        new("Type", "string", 0, (o, _) => Text(o["spec"]?["type"]) ?? "ClusterIP"),
        new("Cluster-IP", "string", 0, (o, _) => Text(o["spec"]?["clusterIP"]) ?? None),
        new("External-IP", "string", 0, (_, _) => None),
        new("Port(s)", "string", 0, (o, _) => Join((o["spec"]?["ports"] as JsonArray)?.Select(p => $"{Text(p?["port"])}/{Text(p?["protocol"]) ?? "TCP"}")) is { Length: > 0 } s ? s : None),
        Age,
        new("Selector", "string", 1, (o, _) => Pairs(o["spec"]?["selector"] as JsonObject) is { Length: > 0 } s ? s : None),
    ];

    private static TableColumn[] Events() =>
    [
        new("Last Seen", "string", 0, (o, now) => AgeOf(Text(o["lastTimestamp"]) ?? Text(o["eventTime"]) ?? Text(o["metadata"]?["creationTimestamp"]), now)),
        new("Type", "string", 0, (o, _) => Text(o["type"]) ?? ""),
        new("Reason", "string", 0, (o, _) => Text(o["reason"]) ?? ""),
        new("Object", "string", 0, (o, _) => $"{Text(o["involvedObject"]?["kind"])?.ToLowerInvariant()}/{Text(o["involvedObject"]?["name"])}"),
        new("Subobject", "string", 1, (o, _) => Text(o["involvedObject"]?["fieldPath"]) ?? ""),
        new("Source", "string", 1, (o, _) => Text(o["source"]?["component"]) ?? Text(o["reportingComponent"]) ?? ""),
        new("Message", "string", 0, (o, _) => Text(o["message"]) ?? ""),
        new("First Seen", "string", 1, (o, now) => AgeOf(Text(o["firstTimestamp"]) ?? Text(o["metadata"]?["creationTimestamp"]), now)),
        new("Count", "string", 1, (o, _) => Text(o["count"]) ?? "1"),
        new("Name", "string", 1, (o, _) => ObjectMeta.Name(o)),
    ];

    /// <summary>A CRD's additionalPrinterColumns, or Age when it declares none, as the apiextensions server does.</summary>
    private static IEnumerable<TableColumn> CustomColumns(ResourceType type)
    {
        if (type.PrinterColumns is not { Count: > 0 } columns)
        {
            yield return Age;
            yield break;
        }

        foreach (var column in columns.OfType<JsonObject>())
        {
            var columnType = Text(column["type"]) ?? "string";
            var path = Text(column["jsonPath"]) ?? "";
            yield return new TableColumn(
                Text(column["name"]) ?? path,
                columnType,
                JsonFields.Int(column["priority"], 0),
                (o, now) => SimpleJsonPath.Select(o, path) is { } value
                    ? columnType == "date" ? AgeOf(Text(value), now) : value.DeepClone()
                    : null,
                Text(column["format"]) ?? "");
        }
    }

    private static TableColumn IntColumn(string name, string section, string field) => new(name, "integer", 0, (o, _) => Int(o, section, field));

    private static IEnumerable<JsonNode?> PodTemplateContainers(JsonObject o) => o["spec"]?["template"]?["spec"]?["containers"] as JsonArray ?? [];

    private static string PodStatus(JsonObject pod)
    {
        if (ObjectMeta.IsDeleting(pod))
        {
            return "Terminating";
        }

        foreach (var status in pod["status"]?["containerStatuses"] as JsonArray ?? [])
        {
            if (Text(status?["state"]?["waiting"]?["reason"]) is { Length: > 0 } reason)
            {
                return reason;
            }
        }

        return Text(pod["status"]?["phase"]) ?? "Pending";
    }

    private static string EndpointAddresses(JsonObject o)
    {
        var addresses = (o["subsets"] as JsonArray ?? []).SelectMany(s =>
            (s?["addresses"] as JsonArray ?? []).SelectMany(a => (s?["ports"] as JsonArray ?? [null]).Select(p => p is null ? Text(a?["ip"]) : $"{Text(a?["ip"])}:{Text(p["port"])}")));
        return Join(addresses) is { Length: > 0 } text ? text : None;
    }

    // Through JsonFields: a number may be backed by an int, a long or a parsed element, and a user may have stored anything.
    private static int Int(JsonObject o, string section, string field) => JsonFields.Int(o[section]?[field], 0);

    private static int Count(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Count,
        JsonArray array => array.Count,
        _ => 0,
    };

    private static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;

    private static string Join(IEnumerable<string?>? values) => values is null ? "" : string.Join(',', values.Where(v => !string.IsNullOrEmpty(v)));

    private static string Pairs(JsonObject? map) => map is null ? "" : string.Join(',', map.Select(p => $"{p.Key}={Text(p.Value)}"));

    private static string AgeOf(string? timestamp, DateTimeOffset now) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? HumanDuration(now - time) : "<unknown>";

    /// <summary>apimachinery's duration.HumanDuration, which kubectl's AGE columns use.</summary>
    internal static string HumanDuration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(-1))
        {
            return "<invalid>";
        }

        var seconds = (long)Math.Max(0, d.TotalSeconds);
        if (seconds < 120)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        }

        if (minutes < 180)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        var years = hours / (24 * 365);
        var days = (hours / 24) - (years * 365);
        return hours < 24 * 365 * 8 && days > 0 ? $"{years}y{days}d" : $"{years}y";
    }
}
