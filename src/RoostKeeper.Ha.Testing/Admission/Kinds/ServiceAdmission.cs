using System.Buffers.Binary;
using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// Services: names are DNS-1035 labels; core/v1 defaults (type ClusterIP, sessionAffinity None, port protocol
/// TCP, targetPort = port, traffic policies); a cluster IP allocated from 10.96.0.0/12 (kubeadm's default
/// range; 10.96.0.1 is the <c>kubernetes</c> Service's) and node ports from 30000-32767, kept on updates that
/// omit them; and the validation of ports, type and session affinity, with the primary cluster IP immutable.
/// </summary>
internal sealed class ServiceAdmission : KindAdmission
{
    public const string ServiceRange = "10.96.0.0/12";
    private const uint RangeStart = (10u << 24) | (96u << 16); // 10.96.0.0
    private const uint RangeSize = 1u << 20;                     // a /12

    public override NameRules.NameRule NameRule => NameRules.Dns1035Label;

    public override void Default(JsonObject obj, AdmissionContext context)
    {
        var spec = JsonFields.Object(obj, "spec");
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        var type = JsonFields.String(spec["type"]);
        if (JsonFields.String(spec["sessionAffinity"]) == "ClientIP")
        {
            JsonFields.Object(JsonFields.Object(spec, "sessionAffinityConfig"), "clientIP")["timeoutSeconds"] ??= 10800;
        }

        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            if (port["targetPort"] is null || JsonFields.Long(port["targetPort"]) == 0 || JsonFields.String(port["targetPort"]) == "")
            {
                port["targetPort"] = port["port"]?.DeepClone();
            }
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }

        if (type == "LoadBalancer")
        {
            spec["allocateLoadBalancerNodePorts"] ??= true;
        }

        if (type == "ExternalName")
        {
            return;
        }

        spec["internalTrafficPolicy"] ??= "Cluster";
        if (context.Old?["spec"] is JsonObject old && JsonFields.String(old["type"]) != "ExternalName")
        {
            KeepAllocated(spec, old);
        }

        var clusterIp = JsonFields.String(spec["clusterIP"]);
        if (string.IsNullOrEmpty(clusterIp) && spec["clusterIPs"] is JsonArray { Count: > 0 } ips)
        {
            spec["clusterIP"] = ips[0]?.DeepClone();
        }
        else if (!string.IsNullOrEmpty(clusterIp) && spec["clusterIPs"] is not JsonArray { Count: > 0 })
        {
            spec["clusterIPs"] = new JsonArray(clusterIp);
        }

        if (context.IsCreate && JsonFields.String(spec["clusterIP"]) is { Length: > 0 } requested && requested != "None")
        {
            CheckRequested(requested, context);
        }

        if (context.IsCreate && string.IsNullOrEmpty(JsonFields.String(spec["clusterIP"])))
        {
            var allocated = Allocate(context);
            spec["clusterIP"] = allocated;
            spec["clusterIPs"] = new JsonArray(allocated);
        }

        spec["ipFamilies"] ??= new JsonArray("IPv4");
        spec["ipFamilyPolicy"] ??= "SingleStack";
        if (context.IsCreate && type is "NodePort" or "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.ToJsonString() != "false")
        {
            AllocateNodePorts(spec, context);
        }
    }

    public override void ValidateCreate(JsonObject obj, FieldErrors errors) => ServiceValidation.Validate(obj, errors);

    public override void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        ServiceValidation.Validate(obj, errors);
        var before = old["spec"]?["clusterIPs"] as JsonArray;
        var after = obj["spec"]?["clusterIPs"] as JsonArray;
        if (before is { Count: > 0 } && after is { Count: > 0 } && GoValues.Text(before[0]) != GoValues.Text(after[0]))
        {
            errors.Add(FieldError.InvalidRendered("spec.clusterIPs[0]", GoValues.Strings(after), "may not change once set"));
        }
    }

    /// <summary>What a replace without the allocated values keeps (the registry's patchAllocatedValues).</summary>
    private static void KeepAllocated(JsonObject spec, JsonObject old)
    {
        if (string.IsNullOrEmpty(JsonFields.String(spec["clusterIP"])) && spec["clusterIPs"] is not JsonArray { Count: > 0 })
        {
            spec["clusterIP"] = old["clusterIP"]?.DeepClone();
            spec["clusterIPs"] = old["clusterIPs"]?.DeepClone();
        }

        spec["ipFamilies"] ??= old["ipFamilies"]?.DeepClone();
        spec["ipFamilyPolicy"] ??= old["ipFamilyPolicy"]?.DeepClone();
        var oldPorts = (old["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().Where(p => JsonFields.Long(p["nodePort"]) is null or 0))
        {
            var match = oldPorts.FirstOrDefault(o => JsonFields.Long(o["port"]) == JsonFields.Long(port["port"]) && JsonFields.String(o["protocol"]) == JsonFields.String(port["protocol"]));
            if (match?["nodePort"] is { } nodePort)
            {
                port["nodePort"] = nodePort.DeepClone();
            }
        }
    }

    /// <summary>A cluster IP the client chose must be in the range and free, as the allocator checks it.</summary>
    private static void CheckRequested(string requested, AdmissionContext context)
    {
        string? why = null;
        if (!IPAddress.TryParse(requested, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || (BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) - RangeStart) >= RangeSize)
        {
            why = $"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {ServiceRange}";
        }
        else if (context.Stored(ResourceRegistry.Services).Any(s => JsonFields.String(s["spec"]?["clusterIP"]) == requested))
        {
            why = "provided IP is already allocated";
        }

        if (why is not null)
        {
            throw FieldErrors.ToException(ResourceRegistry.Services, context.Name,
                [FieldError.InvalidRendered("spec.clusterIPs", FieldError.GoStrings([requested]), $"failed to allocate IP {requested}: {why}")]);
        }
    }

    private static string Allocate(AdmissionContext context)
    {
        var used = context.Stored(ResourceRegistry.Services).Select(s => JsonFields.String(s["spec"]?["clusterIP"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        while (true)
        {
            // Not .0 (network), .1 (the kubernetes Service) or the broadcast address.
            var offset = 2u + (uint)Random.Shared.Next((int)RangeSize - 3);
            var bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, RangeStart + offset);
            var address = new IPAddress(bytes).ToString();
            if (!used.Contains(address))
            {
                return address;
            }
        }
    }

    private static void AllocateNodePorts(JsonObject spec, AdmissionContext context)
    {
        var used = context.Stored(ResourceRegistry.Services)
            .SelectMany(s => (s["spec"]?["ports"] as JsonArray ?? []).Select(p => JsonFields.Long(p?["nodePort"])))
            .OfType<long>().ToHashSet();
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>().Where(p => JsonFields.Long(p["nodePort"]) is null or 0))
        {
            long candidate;
            do
            {
                candidate = Random.Shared.Next(30000, 32768);
            }
            while (!used.Add(candidate));
            port["nodePort"] = candidate;
        }
    }
}
