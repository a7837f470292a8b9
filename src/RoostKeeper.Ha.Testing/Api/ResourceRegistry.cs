using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The group/version/resources the simulated API server serves: the built-in ones it knows, plus one
/// entry per served version of every CustomResourceDefinition that has been created.
/// </summary>
internal sealed class ResourceRegistry
{
    // Declared before the types that use it: static fields initialise in textual order.
    private static readonly string[] AllCategory = ["all"];

    public static readonly ResourceType Namespaces = new("", "v1", "namespaces", "Namespace", Namespaced: false, HasStatusSubresource: true, "namespace", ["ns"]);
    public static readonly ResourceType Pods = new("", "v1", "pods", "Pod", true, true, "pod", ["po"], AllCategory);
    public static readonly ResourceType Services = new("", "v1", "services", "Service", true, true, "service", ["svc"], AllCategory);
    public static readonly ResourceType Events = new("", "v1", "events", "Event", true, false, "event", ["ev"]);
    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment", true, true, "deployment", ["deploy"], AllCategory);
    public static readonly ResourceType ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, true, "replicaset", ["rs"], AllCategory);
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true, false, "lease");
    public static readonly ResourceType EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, false, "endpointslice");
    public static readonly ResourceType CustomResourceDefinitions = new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true, "customresourcedefinition", ["crd", "crds"]);

    private static readonly ResourceType[] BuiltIn =
    [
        Namespaces,
        Pods,
        Services,
        Events,
        new("", "v1", "configmaps", "ConfigMap", true, false, "configmap", ["cm"]),
        new("", "v1", "secrets", "Secret", true, false, "secret"),
        new("", "v1", "serviceaccounts", "ServiceAccount", true, false, "serviceaccount", ["sa"]),
        new("", "v1", "endpoints", "Endpoints", true, false, "endpoints", ["ep"]),
        new("", "v1", "nodes", "Node", false, true, "node", ["no"]),
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, "persistentvolumeclaim", ["pvc"]),
        Deployments,
        ReplicaSets,
        Controllers.WorkloadKinds.StatefulSets,
        new("apps", "v1", "daemonsets", "DaemonSet", true, true, "daemonset", ["ds"], AllCategory),
        Leases,
        EndpointSlices,
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false, false, "validatingwebhookconfiguration"),
        new("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false, false, "mutatingwebhookconfiguration"),
        CustomResourceDefinitions,
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true, "poddisruptionbudget", ["pdb"]),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, false, "networkpolicy", ["netpol"]),
        new("events.k8s.io", "v1", "events", "Event", true, false, "event", ["ev"]),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false, "role"),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false, "rolebinding"),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false, "clusterrole"),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, false, "clusterrolebinding"),
    ];

    private readonly object _gate = new();
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _types = [];
    private readonly Dictionary<string, List<ResourceType>> _byCrd = new(StringComparer.Ordinal);

    public ResourceRegistry()
    {
        foreach (var type in BuiltIn.Concat(Authorization.AccessReviews.Types).Concat(Controllers.WorkloadKinds.Served))
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
            });
        }

        return served.Count == 0 ? "spec.versions must have at least one served version" : null;
    }

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
