using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>core's ValidateService for what clients get wrong: type, session affinity, ports and their names.</summary>
internal static class ServiceValidation
{
    public static void Validate(JsonObject obj, FieldErrors errors)
    {
        var spec = obj["spec"] as JsonObject;
        var type = GoValues.Text(spec?["type"]);
        if (type is not ("ClusterIP" or "ExternalName" or "LoadBalancer" or "NodePort"))
        {
            errors.Add(FieldError.NotSupported("spec.type", type, "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"));
        }

        var affinity = GoValues.Text(spec?["sessionAffinity"]);
        if (affinity is not ("ClientIP" or "None"))
        {
            errors.Add(FieldError.NotSupported("spec.sessionAffinity", affinity, "ClientIP", "None"));
        }

        if (type == "ExternalName" && GoValues.Text(spec?["externalName"]).Length == 0)
        {
            errors.Add(FieldError.Required("spec.externalName"));
        }

        var ports = spec?["ports"] as JsonArray ?? [];
        var headless = GoValues.Text(spec?["clusterIP"]) == "None";
        if (ports.Count == 0 && !headless && type != "ExternalName")
        {
            errors.Add(FieldError.Required("spec.ports"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            Port(ports[i] as JsonObject, $"spec.ports[{i}]", ports.Count > 1, names, errors);
        }
    }

    private static void Port(JsonObject? port, string path, bool nameRequired, HashSet<string> names, FieldErrors errors)
    {
        var name = GoValues.Text(port?["name"]);
        if (name.Length == 0)
        {
            if (nameRequired)
            {
                errors.Add(FieldError.Required(path + ".name"));
            }
        }
        else
        {
            errors.AddRange(NameRules.Dns1123Label(name).Select(m => FieldError.Invalid(path + ".name", name, m)));
            if (!names.Add(name))
            {
                errors.Add(FieldError.Duplicate(path + ".name", name));
            }
        }

        var number = GoValues.Long(port?["port"]) ?? 0;
        if (number is < 1 or > 65535)
        {
            errors.Add(FieldError.Invalid(path + ".port", number, "must be between 1 and 65535, inclusive"));
        }

        var protocol = GoValues.Text(port?["protocol"]);
        if (protocol is not ("SCTP" or "TCP" or "UDP"))
        {
            errors.Add(FieldError.NotSupported(path + ".protocol", protocol, "SCTP", "TCP", "UDP"));
        }

        if (GoValues.Long(port?["targetPort"]) is { } target && target is < 1 or > 65535)
        {
            errors.Add(FieldError.Invalid(path + ".targetPort", target, "must be between 1 and 65535, inclusive"));
        }
    }
}
