using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// kube-controller-manager's EndpointSlice controller, for one IPv4 slice per Service: every pod that the
/// Service selects and that has an IP becomes an endpoint whose ready/serving/terminating conditions follow
/// the pod. Services without a selector are left alone, as the real controller leaves them to their owners.
/// </summary>
internal sealed class EndpointSliceController : IAsyncDisposable
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    private const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    private const string ManagedBy = "endpointslice-controller.k8s.io";

    private readonly ObjectStore _store;
    private readonly ControllerLoop _loop;

    public EndpointSliceController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _loop = new ControllerLoop(
            store,
            time,
            [
                new WatchSource(ResourceRegistry.Services, e => [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))]),
                new WatchSource(ResourceRegistry.Pods, ServicesInNamespace),
                new WatchSource(ResourceRegistry.EndpointSlices, e => ObjectMeta.Label(e.Object, ManagedByLabel) == ManagedBy
                    && ObjectMeta.Label(e.Object, ServiceNameLabel) is { } service
                        ? [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", service)]
                        : []),
            ],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    /// <summary>A pod change can matter to any Service of its namespace (its labels may have changed either way).</summary>
    private IEnumerable<ObjectKey> ServicesInNamespace(WatchEvent e)
    {
        var ns = ObjectMeta.Namespace(e.Object) ?? "";
        return _store.List(WatchFilter.All(ResourceRegistry.Services, ns)).Items
            .Select(s => new ObjectKey(ns, ObjectMeta.Name(s)))
            .ToList();
    }

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var service = _store.TryGet(ResourceRegistry.Services, key.Namespace, key.Name);
        if (service is null || ObjectMeta.IsDeleting(service) || service["spec"]?["selector"] is not JsonObject { Count: > 0 } selector)
        {
            // A deleted Service's slices go with it (they are owned by it).
            return null;
        }

        var sliceFilter = new WatchFilter(
            ResourceRegistry.EndpointSlices,
            key.Namespace,
            LabelSelector.FromObject(new JsonObject { ["matchLabels"] = new JsonObject { [ServiceNameLabel] = key.Name, [ManagedByLabel] = ManagedBy } }),
            FieldSelector.Everything);
        var slices = _store.List(sliceFilter).Items.Where(s => ControllerReferences.IsControlledBy(s, service)).ToList();
        foreach (var extra in slices.Skip(1))
        {
            Delete(extra);
        }

        var podFilter = new WatchFilter(ResourceRegistry.Pods, key.Namespace, LabelSelector.FromObject(new JsonObject { ["matchLabels"] = selector.DeepClone() }), FieldSelector.Everything);
        var pods = _store.List(podFilter).Items
            .Where(p => JsonFields.String(p["status"]?["podIP"]) is not null && JsonFields.String(p["status"]?["phase"]) is not ("Succeeded" or "Failed"))
            .OrderBy(ObjectMeta.Name, StringComparer.Ordinal)
            .ToList();
        var endpoints = new JsonArray(pods.Select(p => (JsonNode)Endpoint(p)).ToArray());
        var ports = Ports(service, pods);

        if (slices.Count == 0)
        {
            var labels = (service["metadata"]?["labels"]?.DeepClone() as JsonObject) ?? [];
            labels[ServiceNameLabel] = key.Name;
            labels[ManagedByLabel] = ManagedBy;
            _store.Create(ResourceRegistry.EndpointSlices, key.Namespace, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["generateName"] = key.Name + "-",
                    ["labels"] = labels,
                    ["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.Services, service)),
                },
                ["addressType"] = "IPv4",
                ["endpoints"] = endpoints,
                ["ports"] = ports,
            });
            return null;
        }

        _store.Mutate(ResourceRegistry.EndpointSlices, key.Namespace, ObjectMeta.Name(slices[0]), slice =>
        {
            slice["addressType"] = "IPv4";
            slice["endpoints"] = endpoints.DeepClone();
            slice["ports"] = ports.DeepClone();
        });
        return null;
    }

    private static JsonObject Endpoint(JsonObject pod)
    {
        var terminating = ObjectMeta.IsDeleting(pod);
        var ready = StatusConditions.IsTrue(pod, "Ready");
        var endpoint = new JsonObject
        {
            ["addresses"] = new JsonArray(JsonFields.String(pod["status"]?["podIP"])),
            ["conditions"] = new JsonObject { ["ready"] = ready && !terminating, ["serving"] = ready, ["terminating"] = terminating },
            ["targetRef"] = new JsonObject
            {
                ["kind"] = "Pod",
                ["namespace"] = ObjectMeta.Namespace(pod),
                ["name"] = ObjectMeta.Name(pod),
                ["uid"] = ObjectMeta.Uid(pod),
            },
        };
        if (JsonFields.String(pod["spec"]?["nodeName"]) is { } node)
        {
            endpoint["nodeName"] = node;
        }

        return endpoint;
    }

    /// <summary>The Service's ports with targetPort resolved: a number as is, a name through the first pod that declares it.</summary>
    private static JsonArray Ports(JsonObject service, List<JsonObject> pods)
    {
        var ports = new JsonArray();
        foreach (var port in (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var target = port["targetPort"];
            long? number = JsonFields.Long(target) ?? (JsonFields.String(target) is { } name ? NamedPort(pods, name) : JsonFields.Long(port["port"]));
            if (number is null)
            {
                continue;
            }

            ports.Add(new JsonObject
            {
                ["name"] = JsonFields.String(port["name"]) ?? "",
                ["port"] = number,
                ["protocol"] = JsonFields.String(port["protocol"]) ?? "TCP",
            });
        }

        return ports;
    }

    private static long? NamedPort(List<JsonObject> pods, string name)
    {
        if (long.TryParse(name, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return pods.SelectMany(p => (p["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>())
            .SelectMany(c => (c["ports"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(p => JsonFields.String(p["name"]) == name)
            .Select(p => JsonFields.Long(p["containerPort"]))
            .FirstOrDefault(p => p is not null);
    }

    private void Delete(JsonObject slice)
    {
        try
        {
            _store.Delete(ResourceRegistry.EndpointSlices, ObjectMeta.Namespace(slice), ObjectMeta.Name(slice), precondUid: ObjectMeta.Uid(slice));
        }
        catch (ApiException e) when (e.Code == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }
}
