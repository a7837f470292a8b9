using System.Globalization;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Protobuf;

/// <summary>
/// Decodes request bodies in the API server's protobuf encoding (<c>application/vnd.kubernetes.protobuf</c>)
/// into the JSON the store keeps. kubectl 1.32 and later send protobuf for the built-in types its typed
/// clients write (<c>kubectl create namespace</c>, <c>configmap</c>, <c>secret</c>, <c>serviceaccount</c>,
/// <c>deployment</c>),
/// and client-go falls back to JSON on a 415 only for CBOR, never for protobuf, so the server must read it.
/// The envelope is <c>k8s\0</c> followed by a <c>runtime.Unknown</c> {typeMeta, raw}; <c>raw</c> is the typed
/// message, decoded here from a table of the field numbers in k8s.io/api's generated.proto for the kinds
/// kubectl sends. Other kinds are refused with 415 and a message saying to send JSON.
/// </summary>
internal static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly Dictionary<string, Dictionary<int, Field>> Messages = new()
    {
        ["ObjectMeta"] = new()
        {
            [1] = new("name", Kind.String), [2] = new("generateName", Kind.String), [3] = new("namespace", Kind.String),
            [4] = new("selfLink", Kind.String), [5] = new("uid", Kind.String), [6] = new("resourceVersion", Kind.String),
            [7] = new("generation", Kind.Int), [8] = new("creationTimestamp", Kind.Time), [9] = new("deletionTimestamp", Kind.Time),
            [10] = new("deletionGracePeriodSeconds", Kind.Int), [11] = new("labels", Kind.StringMap), [12] = new("annotations", Kind.StringMap),
            [13] = new("ownerReferences", Kind.Messages, "OwnerReference"), [14] = new("finalizers", Kind.Strings),
            [17] = new("managedFields", Kind.Messages, "ManagedFieldsEntry"),
        },
        ["OwnerReference"] = new()
        {
            [1] = new("kind", Kind.String), [3] = new("name", Kind.String), [4] = new("uid", Kind.String), [5] = new("apiVersion", Kind.String),
            [6] = new("controller", Kind.Bool), [7] = new("blockOwnerDeletion", Kind.Bool),
        },
        ["ManagedFieldsEntry"] = new()
        {
            [1] = new("manager", Kind.String), [2] = new("operation", Kind.String), [3] = new("apiVersion", Kind.String),
            [4] = new("time", Kind.Time), [6] = new("fieldsType", Kind.String), [7] = new("fieldsV1", Kind.RawJsonMessage), [8] = new("subresource", Kind.String),
        },
        ["ObjectReference"] = new()
        {
            [1] = new("kind", Kind.String), [2] = new("namespace", Kind.String), [3] = new("name", Kind.String), [4] = new("uid", Kind.String),
            [5] = new("apiVersion", Kind.String), [6] = new("resourceVersion", Kind.String), [7] = new("fieldPath", Kind.String),
        },
        ["LocalObjectReference"] = new() { [1] = new("name", Kind.String) },
        ["v1/Namespace"] = new() { [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("spec", Kind.Message, "NamespaceSpec"), [3] = new("status", Kind.Message, "NamespaceStatus") },
        ["NamespaceSpec"] = new() { [1] = new("finalizers", Kind.Strings) },
        ["NamespaceStatus"] = new() { [1] = new("phase", Kind.String) },
        ["v1/ConfigMap"] = new()
        {
            [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("data", Kind.StringMap), [3] = new("binaryData", Kind.BytesMap), [4] = new("immutable", Kind.Bool),
        },
        ["v1/Secret"] = new()
        {
            [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("data", Kind.BytesMap), [3] = new("type", Kind.String),
            [4] = new("stringData", Kind.StringMap), [5] = new("immutable", Kind.Bool),
        },
        ["apps/v1/Deployment"] = new()
        {
            [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("spec", Kind.Message, "DeploymentSpec"), [3] = new("status", Kind.Message, "Empty"),
        },
        ["DeploymentSpec"] = new()
        {
            [1] = new("replicas", Kind.Int), [2] = new("selector", Kind.Message, "LabelSelector"), [3] = new("template", Kind.Message, "PodTemplateSpec"),
            [4] = new("strategy", Kind.Message, "DeploymentStrategy"), [5] = new("minReadySeconds", Kind.Int), [6] = new("revisionHistoryLimit", Kind.Int),
            [7] = new("paused", Kind.TrueOnly), [9] = new("progressDeadlineSeconds", Kind.Int),
        },
        ["DeploymentStrategy"] = new() { [1] = new("type", Kind.String) },
        ["LabelSelector"] = new() { [1] = new("matchLabels", Kind.StringMap) },
        ["PodTemplateSpec"] = new() { [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("spec", Kind.Message, "PodSpec") },
        ["PodSpec"] = new()
        {
            [2] = new("containers", Kind.Messages, "Container"), [3] = new("restartPolicy", Kind.String), [8] = new("serviceAccountName", Kind.String),
            [20] = new("initContainers", Kind.Messages, "Container"),
        },
        ["Container"] = new()
        {
            [1] = new("name", Kind.String), [2] = new("image", Kind.String), [3] = new("command", Kind.Strings), [4] = new("args", Kind.Strings),
            [5] = new("workingDir", Kind.String), [6] = new("ports", Kind.Messages, "ContainerPort"), [7] = new("env", Kind.Messages, "EnvVar"),
            [8] = new("resources", Kind.Message, "Empty"), [14] = new("imagePullPolicy", Kind.String),
        },
        ["ContainerPort"] = new() { [1] = new("name", Kind.String), [3] = new("containerPort", Kind.Int), [4] = new("protocol", Kind.String) },
        ["EnvVar"] = new() { [1] = new("name", Kind.String), [2] = new("value", Kind.String) },
        ["Empty"] = new(),
        // kubectl auth can-i and auth whoami (authorization.k8s.io and authentication.k8s.io generated.proto).
        ["authorization.k8s.io/v1/SelfSubjectAccessReview"] = new() { [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("spec", Kind.Message, "SelfSubjectAccessReviewSpec") },
        ["authorization.k8s.io/v1/SelfSubjectRulesReview"] = new() { [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("spec", Kind.Message, "SelfSubjectRulesReviewSpec") },
        ["authentication.k8s.io/v1/SelfSubjectReview"] = new() { [1] = new("metadata", Kind.Message, "ObjectMeta") },
        ["SelfSubjectAccessReviewSpec"] = new() { [1] = new("resourceAttributes", Kind.Message, "ResourceAttributes"), [2] = new("nonResourceAttributes", Kind.Message, "NonResourceAttributes") },
        ["SelfSubjectRulesReviewSpec"] = new() { [1] = new("namespace", Kind.String) },
        ["ResourceAttributes"] = new()
        {
            [1] = new("namespace", Kind.String), [2] = new("verb", Kind.String), [3] = new("group", Kind.String), [4] = new("version", Kind.String),
            [5] = new("resource", Kind.String), [6] = new("subresource", Kind.String), [7] = new("name", Kind.String),
        },
        ["NonResourceAttributes"] = new() { [1] = new("path", Kind.String), [2] = new("verb", Kind.String) },
        ["v1/ServiceAccount"] = new()
        {
            [1] = new("metadata", Kind.Message, "ObjectMeta"), [2] = new("secrets", Kind.Messages, "ObjectReference"),
            [3] = new("imagePullSecrets", Kind.Messages, "LocalObjectReference"), [4] = new("automountServiceAccountToken", Kind.Bool),
        },
    };

    private enum Kind
    {
        String,
        Bool,

        /// <summary>A plain (not pointer) Go bool: always on the wire, omitted from JSON when false.</summary>
        TrueOnly,
        Int,
        Time,
        Message,
        Messages,
        Strings,
        StringMap,
        BytesMap,
        RawJsonMessage,
    }

    /// <summary>Whether <paramref name="contentType"/> is the protobuf encoding.</summary>
    public static bool IsProtobuf(string? contentType) =>
        contentType?.Split(';')[0].Trim().Equals(MediaType, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Decodes an enveloped object, or throws <see cref="NotSupportedException"/> for a kind it has no table for.</summary>
    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith("k8s\0"u8))
        {
            throw new FormatException("a protobuf body must start with the \"k8s\\0\" prefix");
        }

        var reader = new ProtobufReader(body[4..]);
        string? apiVersion = null;
        string? kind = null;
        var raw = ReadOnlySpan<byte>.Empty;
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.ReadKey();
            if (field == 1 && wireType == 2)
            {
                // runtime.TypeMeta: apiVersion = 1, kind = 2.
                var typeMeta = new ProtobufReader(reader.ReadBytes());
                while (!typeMeta.AtEnd)
                {
                    var (f, w) = typeMeta.ReadKey();
                    switch (f)
                    {
                        case 1 when w == 2:
                            apiVersion = Text(typeMeta.ReadBytes());
                            break;
                        case 2 when w == 2:
                            kind = Text(typeMeta.ReadBytes());
                            break;
                        default:
                            typeMeta.Skip(w);
                            break;
                    }
                }
            }
            else if (field == 2 && wireType == 2)
            {
                raw = reader.ReadBytes();
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        if (!Messages.TryGetValue($"{apiVersion}/{kind}", out var fields))
        {
            throw new NotSupportedException(
                $"the simulated API server decodes protobuf only for {string.Join(", ", Messages.Keys.Where(k => k.Contains('/')))}, not {apiVersion}/{kind}; send JSON (Content-Type: application/json)");
        }

        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (name, value) in ReadMessage(raw, fields).ToList())
        {
            obj[name] = value?.DeepClone();
        }

        return obj;
    }

    private static JsonObject ReadMessage(ReadOnlySpan<byte> data, Dictionary<int, Field> fields)
    {
        var obj = new JsonObject();
        var reader = new ProtobufReader(data);
        while (!reader.AtEnd)
        {
            var (number, wireType) = reader.ReadKey();
            if (!fields.TryGetValue(number, out var field))
            {
                reader.Skip(wireType);
                continue;
            }

            switch (field.Kind)
            {
                case Kind.String when Text(reader.ReadBytes()) is { Length: > 0 } text:
                    obj[field.Name] = text;
                    break;
                case Kind.Bool:
                    obj[field.Name] = reader.ReadVarint() != 0;
                    break;
                case Kind.TrueOnly when reader.ReadVarint() != 0:
                    obj[field.Name] = true;
                    break;
                case Kind.Int when (long)reader.ReadVarint() is not 0 and var number64:
                    obj[field.Name] = number64;
                    break;
                case Kind.Time when ReadTime(reader.ReadBytes()) is { } time:
                    obj[field.Name] = time;
                    break;
                case Kind.Message:
                    obj[field.Name] = ReadMessage(reader.ReadBytes(), Messages[field.Message!]);
                    break;
                case Kind.Messages:
                    Array(obj, field.Name).Add(ReadMessage(reader.ReadBytes(), Messages[field.Message!]));
                    break;
                case Kind.Strings:
                    Array(obj, field.Name).Add(Text(reader.ReadBytes()));
                    break;
                case Kind.StringMap or Kind.BytesMap:
                {
                    var (key, value) = ReadMapEntry(reader.ReadBytes());
                    var map = obj[field.Name] as JsonObject ?? [];
                    map[key] = field.Kind == Kind.StringMap ? Text(value) : Convert.ToBase64String(value);
                    obj[field.Name] = map;
                    break;
                }

                case Kind.RawJsonMessage:
                {
                    // FieldsV1 { bytes Raw = 1 }: the raw bytes are JSON.
                    var inner = new ProtobufReader(reader.ReadBytes());
                    while (!inner.AtEnd)
                    {
                        var (f, w) = inner.ReadKey();
                        if (f == 1 && w == 2)
                        {
                            obj[field.Name] = JsonNode.Parse(inner.ReadBytes());
                        }
                        else
                        {
                            inner.Skip(w);
                        }
                    }

                    break;
                }
            }
        }

        return obj;
    }

    private static JsonArray Array(JsonObject obj, string name)
    {
        if (obj[name] is not JsonArray array)
        {
            array = [];
            obj[name] = array;
        }

        return array;
    }

    private static (string Key, byte[] Value) ReadMapEntry(ReadOnlySpan<byte> entry)
    {
        var reader = new ProtobufReader(entry);
        var key = "";
        byte[] value = [];
        while (!reader.AtEnd)
        {
            var (f, w) = reader.ReadKey();
            switch (f)
            {
                case 1 when w == 2:
                    key = Text(reader.ReadBytes());
                    break;
                case 2 when w == 2:
                    value = reader.ReadBytes().ToArray();
                    break;
                default:
                    reader.Skip(w);
                    break;
            }
        }

        return (key, value);
    }

    /// <summary>meta/v1 Time { int64 seconds = 1; int32 nanos = 2 } as RFC 3339; the zero time is absent, as in JSON.</summary>
    private static string? ReadTime(ReadOnlySpan<byte> data)
    {
        var reader = new ProtobufReader(data);
        long seconds = 0;
        while (!reader.AtEnd)
        {
            var (f, w) = reader.ReadKey();
            if (f == 1 && w == 0)
            {
                seconds = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(w);
            }
        }

        return seconds == 0 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static string Text(ReadOnlySpan<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    private sealed record Field(string Name, Kind Kind, string? Message = null);
}
