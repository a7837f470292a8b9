using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Patching;

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>) for the cases controllers and kubectl use: an
/// applied configuration creates the object or is merged into it; each field manager's applied fields are
/// kept in <c>metadata.managedFields</c> (operation Apply, fieldsType FieldsV1); a field another manager
/// owns and the configuration sets to a different value is a 409 conflict unless <c>force</c> moves it;
/// a field a manager applied before and no longer applies is removed when no one else owns it. Maps merge
/// key by key, the lists the API marks as associative (containers, env, volumes, ports, ...) merge item by
/// item on their keys, any other list is atomic. Writes that are not applies are recorded as Update managers
/// (<see cref="UpdateManagers"/>), whose fields an apply conflicts with too.
/// </summary>
internal static class ServerSideApply
{
    internal const char Separator = '\n';

    /// <summary>The merged object, with the manager's applied field set recorded.</summary>
    public static JsonObject Apply(ResourceType type, JsonObject? current, JsonObject applied, string manager, bool force, DateTimeOffset now)
    {
        var appliedMetadata = ObjectMeta.Of(applied);
        if (appliedMetadata["managedFields"] is JsonArray { Count: > 0 })
        {
            throw ApiException.BadRequest("metadata.managedFields must be nil in an apply configuration");
        }

        var entries = (current?["metadata"]?["managedFields"] as JsonArray)?.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList() ?? [];
        var fields = Paths(applied);
        var previous = entries.Where(e => IsApplyBy(e, manager)).SelectMany(e => FieldSet(e["fieldsV1"])).ToHashSet(StringComparer.Ordinal);
        var others = entries.Where(e => !IsApplyBy(e, manager)).ToList();

        if (current is not null)
        {
            var conflicts = new List<(JsonObject Entry, string Path)>();
            foreach (var entry in others)
            {
                var owned = FieldSet(entry["fieldsV1"]);
                var shared = fields.Where(owned.Contains).Where(p => !p.EndsWith(Separator + ".", StringComparison.Ordinal)).ToList();
                foreach (var path in shared.Where(p => !JsonNode.DeepEquals(ValueAt(current, p), ValueAt(applied, p))))
                {
                    if (force)
                    {
                        owned.Remove(path);
                    }
                    else
                    {
                        conflicts.Add((entry, path));
                    }
                }

                entry["fieldsV1"] = ToFieldsV1(owned);
            }

            if (conflicts.Count > 0)
            {
                throw Conflict(conflicts);
            }
        }

        var merged = current is null ? new JsonObject() : (JsonObject)current.DeepClone();
        Merge(merged, applied, parentField: null);

        // Fields this manager applied before and not now, owned by no one else, go.
        var ownedByOthers = others.SelectMany(e => FieldSet(e["fieldsV1"])).ToHashSet(StringComparer.Ordinal);
        // Whole list items first, so that their fields need no removing (and the item's key is still there to find it).
        foreach (var path in previous.Where(p => !fields.Contains(p)).OrderBy(p => p.EndsWith(Separator + ".", StringComparison.Ordinal) ? 0 : 1).ThenByDescending(p => p.Length))
        {
            var prefix = path.EndsWith(Separator + ".", StringComparison.Ordinal) ? path[..^2] : path;
            if (!ownedByOthers.Any(o => o == prefix || o.StartsWith(prefix + Separator, StringComparison.Ordinal)))
            {
                RemoveAt(merged, prefix);
            }
        }

        var managed = new JsonArray();
        foreach (var entry in others.Where(e => e["fieldsV1"] is JsonObject { Count: > 0 }))
        {
            managed.Add(entry);
        }

        managed.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = type.ApiVersion,
            ["time"] = ObjectMeta.Timestamp(now),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = ToFieldsV1(fields),
        });
        ObjectMeta.Of(merged)["managedFields"] = managed;
        return merged;
    }

    /// <summary>Whether two objects differ at most in the <c>time</c> of their managedFields entries.</summary>
    public static bool SameButManagedFieldTimes(JsonObject a, JsonObject b)
    {
        static JsonObject WithoutTimes(JsonObject o)
        {
            var copy = (JsonObject)o.DeepClone();
            foreach (var entry in (copy["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
            {
                entry.Remove("time");
            }

            return copy;
        }

        return JsonNode.DeepEquals(WithoutTimes(a), WithoutTimes(b));
    }

    internal static bool IsApplyBy(JsonObject entry, string manager) => Text(entry["manager"]) == manager && Text(entry["operation"]) == "Apply";

    /// <summary>
    /// The 409 the API server sends, worded as its fieldmanager words it: an Apply manager by name, an Update
    /// manager with the apiVersion (and subresource) it wrote through; one conflict on one line, several
    /// grouped by manager.
    /// </summary>
    private static ApiException Conflict(List<(JsonObject Entry, string Path)> conflicts)
    {
        var causes = new JsonArray(conflicts.Select(c => (JsonNode?)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = $"conflict with {Describe(c.Entry)}",
            ["field"] = Display(c.Path),
        }).ToArray());
        // NewApplyConflict's details carry the causes only, no name or kind.
        var details = new JsonObject { ["causes"] = causes };
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {Describe(conflicts[0].Entry)}: {Display(conflicts[0].Path)}";
        }
        else
        {
            // Grouped by manager in the order of the managers' identifiers (JSON text, as Go sorts them).
            var lines = conflicts.GroupBy(c => Identifier(c.Entry), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.Select(c => "- " + Display(c.Path)).Prepend($"conflicts with {Describe(g.First().Entry)}:"));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }

        return new ApiException(HttpStatusCode.Conflict, "Conflict", message, details);
    }

    private static string Identifier(JsonObject entry)
    {
        var update = Text(entry["operation"]) == "Update";
        return $"{{\"manager\":\"{Text(entry["manager"])}\",\"operation\":\"{Text(entry["operation"])}\"{(update ? $",\"apiVersion\":\"{Text(entry["apiVersion"])}\"" : "")},\"subresource\":\"{Text(entry["subresource"])}\"}}";
    }

    private static string Describe(JsonObject entry)
    {
        var text = $"\"{Text(entry["manager"])}\"";
        if (Text(entry["subresource"]) is { Length: > 0 } subresource)
        {
            text += $" with subresource \"{subresource}\"";
        }

        return Text(entry["operation"]) == "Update" ? $"{text} using {Text(entry["apiVersion"])}" : text;
    }

    /// <summary>".spec.template.spec.containers[name=\"web\"].image", as the API server names a conflicting field.</summary>
    internal static string Display(string path) => string.Concat(path.Split(Separator).Select(s =>
        s.StartsWith("f:", StringComparison.Ordinal) ? "." + s[2..]
        : s.StartsWith("k:", StringComparison.Ordinal) ? "[" + string.Join(',', JsonNode.Parse(s[2..])!.AsObject().Select(p => $"{p.Key}={p.Value?.ToJsonString()}")) + "]"
        : ""));

    /// <summary>The leaf fields a configuration sets, plus a "." entry per associative list item, as FieldsV1 records them.</summary>
    internal static HashSet<string> Paths(JsonObject applied)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in applied)
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var field in new[] { "labels", "annotations" })
                {
                    foreach (var (label, labelValue) in metadata[field] as JsonObject ?? [])
                    {
                        Collect($"f:metadata{Separator}f:{field}{Separator}f:{label}", labelValue, label, paths);
                    }
                }

                continue;
            }

            Collect("f:" + key, value, key, paths);
        }

        return paths;
    }

    private static void Collect(string path, JsonNode? value, string field, HashSet<string> paths)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } obj:
                foreach (var (key, child) in obj)
                {
                    Collect($"{path}{Separator}f:{key}", child, key, paths);
                }

                break;
            case JsonArray array when KeyFields(field, array) is { } keys:
                foreach (var item in array.OfType<JsonObject>())
                {
                    var itemPath = $"{path}{Separator}k:{KeyOf(item, keys).ToJsonString()}";
                    paths.Add(itemPath + Separator + ".");
                    foreach (var (key, child) in item)
                    {
                        Collect($"{itemPath}{Separator}f:{key}", child, key, paths);
                    }
                }

                break;
            default:
                paths.Add(path);
                break;
        }
    }

    /// <summary>The key fields of an associative list, or null for an atomic one.</summary>
    private static string[]? KeyFields(string field, JsonArray array) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" or "resourceClaims" => ["name"],
        "volumeMounts" => ["mountPath"],
        "volumeDevices" => ["devicePath"],
        "conditions" => ["type"],
        "ports" when array.OfType<JsonObject>().All(p => p.ContainsKey("containerPort")) => ["containerPort", "protocol"],
        "ports" when array.OfType<JsonObject>().All(p => p.ContainsKey("port")) => ["port", "protocol"],
        _ => null,
    };

    private static JsonObject KeyOf(JsonObject item, string[] keys)
    {
        var key = new JsonObject();
        foreach (var name in keys)
        {
            key[name] = item[name]?.DeepClone() ?? (name == "protocol" ? "TCP" : null);
        }

        return key;
    }

    private static bool Matches(JsonObject item, JsonObject key) =>
        key.All(p => JsonNode.DeepEquals(item[p.Key] ?? (p.Key == "protocol" ? JsonValue.Create("TCP") : null), p.Value));

    private static void Merge(JsonObject target, JsonObject applied, string? parentField)
    {
        foreach (var (key, value) in applied)
        {
            if (parentField is null && key == "metadata" && value is JsonObject metadata)
            {
                var targetMetadata = ObjectMeta.Of(target);
                foreach (var (field, fieldValue) in metadata)
                {
                    if (field is "labels" or "annotations" && fieldValue is JsonObject map)
                    {
                        var targetMap = targetMetadata[field] as JsonObject ?? [];
                        targetMetadata[field] = targetMap;
                        foreach (var (k, v) in map)
                        {
                            targetMap[k] = v?.DeepClone();
                        }
                    }
                    else if (field is "name" or "namespace" or "generateName" or "finalizers" or "ownerReferences")
                    {
                        targetMetadata[field] = fieldValue?.DeepClone();
                    }
                }

                continue;
            }

            switch (value)
            {
                case JsonObject obj when target[key] is JsonObject existing:
                    Merge(existing, obj, key);
                    break;
                case JsonArray array when target[key] is JsonArray existing && KeyFields(key, array) is { } keys:
                    foreach (var item in array.OfType<JsonObject>())
                    {
                        var itemKey = KeyOf(item, keys);
                        if (existing.OfType<JsonObject>().FirstOrDefault(e => Matches(e, itemKey)) is { } match)
                        {
                            Merge(match, item, key);
                        }
                        else
                        {
                            existing.Add(item.DeepClone());
                        }
                    }

                    break;
                default:
                    target[key] = value?.DeepClone();
                    break;
            }
        }
    }

    internal static JsonNode? ValueAt(JsonNode? node, string path)
    {
        foreach (var segment in path.Split(Separator))
        {
            node = segment switch
            {
                "." => node,
                _ when segment.StartsWith("f:", StringComparison.Ordinal) => (node as JsonObject)?[segment[2..]],
                _ => (node as JsonArray)?.OfType<JsonObject>().FirstOrDefault(item => Matches(item, JsonNode.Parse(segment[2..])!.AsObject())),
            };
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static void RemoveAt(JsonObject root, string path)
    {
        var segments = path.Split(Separator);
        var parent = ValueAt(root, string.Join(Separator, segments[..^1]));
        var last = segments[^1];
        if (last.StartsWith("f:", StringComparison.Ordinal) && parent is JsonObject obj)
        {
            obj.Remove(last[2..]);
        }
        else if (last.StartsWith("k:", StringComparison.Ordinal) && parent is JsonArray array
            && array.OfType<JsonObject>().FirstOrDefault(item => Matches(item, JsonNode.Parse(last[2..])!.AsObject())) is { } item)
        {
            array.Remove(item);
        }
    }

    /// <summary>The FieldsV1 tree: {"f:spec":{"f:replicas":{}}, ...} with "." for a list item itself.</summary>
    internal static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in path.Split(Separator))
            {
                if (node[segment] is not JsonObject child)
                {
                    child = [];
                    node[segment] = child;
                }

                node = child;
            }
        }

        return root;
    }

    internal static HashSet<string> FieldSet(JsonNode? fieldsV1)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject node, string prefix)
        {
            foreach (var (segment, child) in node)
            {
                var path = prefix.Length == 0 ? segment : prefix + Separator + segment;
                if (child is JsonObject { Count: > 0 } inner)
                {
                    Walk(inner, path);
                }
                else
                {
                    paths.Add(path);
                }
            }
        }

        if (fieldsV1 is JsonObject tree)
        {
            Walk(tree, "");
        }

        return paths;
    }

    internal static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
