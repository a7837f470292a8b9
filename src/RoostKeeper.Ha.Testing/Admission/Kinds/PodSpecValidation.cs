using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// The part of core's ValidatePodSpec that a controller's mistakes usually hit: at least one container, each
/// with a unique DNS-label name and an image, container ports in range, and (for a workload's template) the
/// restart policy its controller supports.
/// </summary>
internal static class PodSpecValidation
{
    public static void Validate(JsonNode? spec, string path, FieldErrors errors)
    {
        if (spec?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required(path + ".containers"));
        }
        else
        {
            Containers(containers, path + ".containers", errors);
        }

        if (spec?["initContainers"] is JsonArray initContainers)
        {
            Containers(initContainers, path + ".initContainers", errors);
        }

        if (GoValues.Text(spec?["restartPolicy"]) is { Length: > 0 } restartPolicy && restartPolicy is not ("Always" or "OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported(path + ".restartPolicy", restartPolicy, "Always", "OnFailure", "Never"));
        }
    }

    private static void Containers(JsonArray containers, string path, FieldErrors errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var at = $"{path}[{i}]";
            var container = containers[i] as JsonObject;
            var name = GoValues.Text(container?["name"]);
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at + ".name"));
            }
            else
            {
                errors.AddRange(NameRules.Dns1123Label(name).Select(m => FieldError.Invalid(at + ".name", name, m)));
                if (!names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at + ".name", name));
                }
            }

            if (GoValues.Text(container?["image"]).Trim().Length == 0)
            {
                errors.Add(FieldError.Required(at + ".image"));
            }

            var ports = container?["ports"] as JsonArray ?? [];
            for (var p = 0; p < ports.Count; p++)
            {
                if (GoValues.Long(ports[p]?["containerPort"]) is not { } port)
                {
                    errors.Add(FieldError.Required($"{at}.ports[{p}].containerPort"));
                }
                else if (port is < 1 or > 65535)
                {
                    errors.Add(FieldError.Invalid($"{at}.ports[{p}].containerPort", port, "must be between 1 and 65535, inclusive"));
                }
            }
        }
    }
}
