using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// The group/version/resources the simulated API server serves: the built-in ones
/// (<see cref="BuiltInResources"/>), plus one entry per served version of every CustomResourceDefinition
/// that has been created. The kinds code refers to by name are its static fields.
/// </summary>
internal sealed class ResourceRegistry
{
    // Declared before the types that use it: static fields initialise in textual order.
    private static readonly string[] AllCategory = ["all"];

    public static readonly ResourceType Namespaces = new("", "v1", "namespaces", "Namespace", Namespaced: false, HasStatusSubresource: true, "namespace", ["ns"])
    {
        Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
        FieldLabels = BuiltInResources.SamePath("status.phase"),
    };

    public static readonly ResourceType Pods = new("", "v1", "pods", "Pod", true, true, "pod", ["po"], AllCategory)
    {
        FieldLabels = BuiltInResources.Labels(
            ("spec.nodeName", new FieldLabel("spec.nodeName")),
            ("spec.restartPolicy", new FieldLabel("spec.restartPolicy")),
            ("spec.schedulerName", new FieldLabel("spec.schedulerName")),
            ("spec.serviceAccountName", new FieldLabel("spec.serviceAccountName")),
            ("spec.hostNetwork", new FieldLabel("spec.hostNetwork", "false")),
            ("status.phase", new FieldLabel("status.phase")),
            ("status.podIP", new FieldLabel("status.podIP")),
            ("status.nominatedNodeName", new FieldLabel("status.nominatedNodeName"))),
    };

    public static readonly ResourceType Services = new("", "v1", "services", "Service", true, true, "service", ["svc"], AllCategory);

    public static readonly ResourceType Events = new("", "v1", "events", "Event", true, false, "event", ["ev"])
    {
        FieldLabels = BuiltInResources.Labels(
            [.. new[] { "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath" }.Select(f => ($"involvedObject.{f}", new FieldLabel($"involvedObject.{f}"))),
            ("reason", new FieldLabel("reason")),
            ("reportingComponent", new FieldLabel("reportingComponent")),
            ("source", new FieldLabel("source.component")),
            ("type", new FieldLabel("type"))]),
    };

    /// <summary>events.k8s.io/v1 Events: the same objects as core/v1 Events, converted (<see cref="EventConversion"/>).</summary>
    public static readonly ResourceType EventsV1 = new("events.k8s.io", "v1", "events", "Event", true, false, "event", ["ev"])
    {
        Conversion = EventConversion.ForEventsV1(Events),
    };

    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment", true, true, "deployment", ["deploy"], AllCategory) { Scale = ScaleSubresource.Workload };

    public static readonly ResourceType ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, true, "replicaset", ["rs"], AllCategory)
    {
        Scale = ScaleSubresource.Workload,
        FieldLabels = BuiltInResources.Labels(("status.replicas", new FieldLabel("status.replicas", "0"))),
    };

    public static readonly ResourceType StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet", true, true, "statefulset", ["sts"], AllCategory) { Scale = ScaleSubresource.Workload };

    /// <summary>The StatefulSet controller's revision history (one per pod template it has run).</summary>
    public static readonly ResourceType ControllerRevisions = new("apps", "v1", "controllerrevisions", "ControllerRevision", true, false, "controllerrevision");

    public static readonly ResourceType Jobs = new("batch", "v1", "jobs", "Job", true, true, "job", null, AllCategory)
    {
        FieldLabels = BuiltInResources.Labels(("status.successful", new FieldLabel("status.succeeded", "0"))),
    };

    public static readonly ResourceType CronJobs = new("batch", "v1", "cronjobs", "CronJob", true, true, "cronjob", ["cj"], AllCategory);
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true, false, "lease");
    public static readonly ResourceType EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, false, "endpointslice");

    public static readonly ResourceType CustomResourceDefinitions =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true, "customresourcedefinition", ["crd", "crds"], ["api-extensions"]);

    private readonly object _gate = new();
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _types = [];
    private readonly Dictionary<string, List<ResourceType>> _byCrd = new(StringComparer.Ordinal);

    public ResourceRegistry()
    {
        foreach (var type in BuiltInResources.Kinds)
        {
            _types[(type.Group, type.Version, type.Plural)] = type;
        }
    }

    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_gate)
        {
            return _types.GetValueOrDefault((group, version, plural));
        }
    }

    public IReadOnlyList<ResourceType> All()
    {
        lock (_gate)
        {
            return [.. _types.Values];
        }
    }

    /// <summary>Whether <paramref name="type"/> is served for a CustomResourceDefinition (rather than built in).</summary>
    public bool IsCustom(ResourceType type)
    {
        lock (_gate)
        {
            return _byCrd.Values.Any(types => types.Contains(type));
        }
    }

    public bool ServesGroupVersion(string group, string version)
    {
        lock (_gate)
        {
            return _types.Keys.Any(k => k.Group == group && k.Version == version);
        }
    }

    /// <summary>Checks a CustomResourceDefinition as <see cref="Register"/> would, without serving anything (dry run).</summary>
    /// <returns>A reason the definition cannot be served, or null when it would be accepted.</returns>
    public static string? Check(JsonObject crd) => Describe(crd, out _);

    /// <summary>Serves (or updates) the resources a CustomResourceDefinition describes.</summary>
    /// <returns>A reason the definition cannot be served, or null when it is accepted.</returns>
    public string? Register(JsonObject crd)
    {
        var problem = Describe(crd, out var served);
        if (problem is not null)
        {
            return problem;
        }

        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        lock (_gate)
        {
            Unregister(name);
            foreach (var type in served)
            {
                _types[(type.Group, type.Version, type.Plural)] = type;
            }

            _byCrd[name] = served;
        }

        return null;
    }

    private static string? Describe(JsonObject crd, out List<ResourceType> served)
    {
        served = [];
        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        var spec = crd["spec"] as JsonObject;
        var group = spec?["group"]?.GetValue<string>();
        var names = spec?["names"] as JsonObject;
        var plural = names?["plural"]?.GetValue<string>();
        var kind = names?["kind"]?.GetValue<string>();
        if (string.IsNullOrEmpty(group) || string.IsNullOrEmpty(plural) || string.IsNullOrEmpty(kind))
        {
            return "spec.group, spec.names.plural and spec.names.kind are required";
        }

        if (name != $"{plural}.{group}")
        {
            return $"metadata.name: must be spec.names.plural+\".\"+spec.group (\"{plural}.{group}\")";
        }

        var namespaced = !string.Equals(spec!["scope"]?.GetValue<string>(), "Cluster", StringComparison.Ordinal);
        var singular = names!["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant();
        var shortNames = (names["shortNames"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToArray();
        var categories = (names["categories"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToArray();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            var versionName = version["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(versionName))
            {
                return "spec.versions[].name is required";
            }

            var hasStatus = version["subresources"]?["status"] is not null;
            served.Add(new ResourceType(group, versionName, plural, kind, namespaced, hasStatus, singular, shortNames, categories)
            {
                Schema = version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
                PrinterColumns = version["additionalPrinterColumns"]?.DeepClone() as JsonArray,
                IsCustom = true,
                Scale = ScaleSubresource.FromDefinition(version["subresources"]?["scale"]),
                FieldLabels = SelectableFields(version["selectableFields"] as JsonArray),
            });
        }

        return served.Count == 0 ? "spec.versions must have at least one served version" : null;
    }

    /// <summary>A CRD version's <c>selectableFields</c> (<c>jsonPath: .spec.color</c>) as field labels ("spec.color").</summary>
    private static Dictionary<string, FieldLabel> SelectableFields(JsonArray? fields) =>
        (fields ?? []).Select(f => JsonFields.String(f?["jsonPath"])?.TrimStart('.')).OfType<string>().Distinct(StringComparer.Ordinal)
            .ToDictionary(path => path, path => new FieldLabel(path), StringComparer.Ordinal);

    /// <summary>Stops serving a definition's resources; returns the types it served.</summary>
    public IReadOnlyList<ResourceType> Unregister(string crdName)
    {
        lock (_gate)
        {
            if (!_byCrd.Remove(crdName, out var types))
            {
                return [];
            }

            foreach (var type in types)
            {
                _types.Remove((type.Group, type.Version, type.Plural));
            }

            return types;
        }
    }
}
