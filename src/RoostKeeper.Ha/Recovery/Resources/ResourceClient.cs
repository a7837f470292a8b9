using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Recovery.Resources;

/// <summary>
/// Reads and writes objects of any resource type as JSON through KubernetesClient: the core types a backup
/// supports (namespaces, configmaps, secrets) through its typed CoreV1 API, everything under /apis (custom
/// resources, CustomResourceDefinitions) through its CustomObjects API. Keeping objects as JSON means a
/// backup stores exactly what the server returned, unknown fields included.
/// </summary>
internal sealed class ResourceClient(IKubernetes client)
{
    public const string DryRunAll = "All";

    public async Task<ResourcePage> ListAsync(BackupResource type, int limit, string? continueToken, CancellationToken cancellationToken)
    {
        if (type.IsCore)
        {
            return type.Plural switch
            {
                "namespaces" => Page(type, "Namespace", await client.CoreV1.ListNamespaceAsync(continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false)),
                "configmaps" => type.Namespace is null
                    ? Page(type, "ConfigMap", await client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false))
                    : Page(type, "ConfigMap", await client.CoreV1.ListNamespacedConfigMapAsync(type.Namespace, continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false)),
                "secrets" => type.Namespace is null
                    ? Page(type, "Secret", await client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false))
                    : Page(type, "Secret", await client.CoreV1.ListNamespacedSecretAsync(type.Namespace, continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false)),
                _ => throw Unsupported(type),
            };
        }

        var list = type.Namespace is null
            ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(type.Group, type.Version, type.Plural, continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync(type.Group, type.Version, type.Namespace, type.Plural, continueParameter: continueToken, labelSelector: type.LabelSelector, limit: limit, cancellationToken: cancellationToken).ConfigureAwait(false);
        var root = list is JsonElement element ? element : JsonSerializer.SerializeToElement(list);
        var listKind = root.TryGetProperty("kind", out var k) && k.GetString() is { } lk && lk.EndsWith("List", StringComparison.Ordinal) ? lk[..^4] : KindOf(type);
        var items = new List<ListedObject>();
        if (root.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                var metadata = item.GetProperty("metadata");
                var ns = metadata.TryGetProperty("namespace", out var n) && n.GetString() is { Length: > 0 } itemNamespace ? itemNamespace : null;
                var name = metadata.GetProperty("name").GetString() ?? "";
                if (item.TryGetProperty("apiVersion", out _) && item.TryGetProperty("kind", out var itemKind))
                {
                    // The usual case: the server's bytes are stored as they are, without building a DOM.
                    items.Add(new ListedObject(ns, name, itemKind.GetString() ?? listKind, RawUtf8(item)));
                }
                else
                {
                    var copy = JsonNode.Parse(item.GetRawText())!.AsObject();
                    copy["apiVersion"] ??= type.ApiVersion;
                    copy["kind"] ??= listKind;
                    items.Add(new ListedObject(ns, name, listKind, JsonSerializer.SerializeToUtf8Bytes(copy)));
                }
            }
        }

        var next = root.TryGetProperty("metadata", out var listMetadata) && listMetadata.TryGetProperty("continue", out var c) ? c.GetString() : null;
        return new ResourcePage(items, string.IsNullOrEmpty(next) ? null : next);
    }

    /// <summary>The live object, or null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(BackupResource type, string? ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            if (type.IsCore)
            {
                object live = type.Plural switch
                {
                    "namespaces" => await client.CoreV1.ReadNamespaceAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false),
                    "configmaps" => await client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                    "secrets" => await client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false),
                    _ => throw Unsupported(type),
                };
                return WithType(ToNode(live), type, KindOf(type));
            }

            var obj = ns is null
                ? await client.CustomObjects.GetClusterCustomObjectAsync(type.Group, type.Version, type.Plural, name, cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.GetNamespacedCustomObjectAsync(type.Group, type.Version, ns, type.Plural, name, cancellationToken).ConfigureAwait(false);
            return ToNode(obj);
        }
        catch (Exception e) when (KubernetesApi.KubernetesApiErrors.Classify(e) == KubernetesApi.ApiErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task<WrittenObject> CreateAsync(BackupResource type, string? ns, JsonObject body, bool dryRun, CancellationToken cancellationToken)
    {
        var dry = dryRun ? DryRunAll : null;
        if (type.IsCore)
        {
            object created = type.Plural switch
            {
                "namespaces" => await client.CoreV1.CreateNamespaceAsync(Typed<V1Namespace>(body), dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false),
                "configmaps" => await client.CoreV1.CreateNamespacedConfigMapAsync(Typed<V1ConfigMap>(body), ns, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false),
                "secrets" => await client.CoreV1.CreateNamespacedSecretAsync(Typed<V1Secret>(body), ns, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false),
                _ => throw Unsupported(type),
            };
            return WrittenObject.From(created);
        }

        var result = ns is null
            ? await client.CustomObjects.CreateClusterCustomObjectAsync(body, type.Group, type.Version, type.Plural, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, type.Group, type.Version, ns, type.Plural, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false);
        return WrittenObject.From(result);
    }

    /// <summary>Replaces the live object; <paramref name="body"/> must carry the live resourceVersion (optimistic concurrency).</summary>
    public async Task<WrittenObject> ReplaceAsync(BackupResource type, string? ns, string name, JsonObject body, bool dryRun, CancellationToken cancellationToken)
    {
        var dry = dryRun ? DryRunAll : null;
        if (type.IsCore)
        {
            object replaced = type.Plural switch
            {
                "namespaces" => await client.CoreV1.ReplaceNamespaceAsync(Typed<V1Namespace>(body), name, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false),
                "configmaps" => await client.CoreV1.ReplaceNamespacedConfigMapAsync(Typed<V1ConfigMap>(body), name, ns, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false),
                "secrets" => await client.CoreV1.ReplaceNamespacedSecretAsync(Typed<V1Secret>(body), name, ns, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false),
                _ => throw Unsupported(type),
            };
            return WrittenObject.From(replaced);
        }

        var result = ns is null
            ? await client.CustomObjects.ReplaceClusterCustomObjectAsync(body, type.Group, type.Version, type.Plural, name, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, type.Group, type.Version, ns, type.Plural, name, dryRun: dry, cancellationToken: cancellationToken).ConfigureAwait(false);
        return WrittenObject.From(result);
    }

    /// <summary>
    /// Writes <paramref name="body"/>'s status through the status subresource of a custom resource
    /// (<c>.../{name}/status</c>), the only way to set status on a type that has one: the main resource
    /// ignores status there. <paramref name="body"/> must carry the live resourceVersion.
    /// </summary>
    public async Task ReplaceStatusAsync(BackupResource type, string? ns, string name, JsonObject body, CancellationToken cancellationToken)
    {
        if (type.IsCore || type.IsDefinitions)
        {
            throw new NotSupportedException($"Status of {type} is set by the API server and is not restored.");
        }

        _ = ns is null
            ? await client.CustomObjects.ReplaceClusterCustomObjectStatusAsync(body, type.Group, type.Version, type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(body, type.Group, type.Version, ns, type.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public static string KindOf(BackupResource type) => type.Plural switch
    {
        "namespaces" when type.IsCore => "Namespace",
        "configmaps" when type.IsCore => "ConfigMap",
        "secrets" when type.IsCore => "Secret",
        "customresourcedefinitions" when type.IsDefinitions => "CustomResourceDefinition",
        _ => type.Plural,
    };

    public static bool IsSupportedCore(BackupResource type) => !type.IsCore || type.Plural is "namespaces" or "configmaps" or "secrets";

    /// <summary>The element's JSON as the server sent it, as UTF-8: copied straight from the parsed buffer where the runtime allows it (no string in between).</summary>
    private static byte[] RawUtf8(JsonElement element) =>
#if NET9_0_OR_GREATER
        System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).ToArray();
#else
        System.Text.Encoding.UTF8.GetBytes(element.GetRawText());
#endif

    private static ResourcePage Page<TItem>(BackupResource type, string kind, IItems<TItem> list)
        where TItem : IKubernetesObject<V1ObjectMeta>
    {
        var items = new List<ListedObject>();
        foreach (var item in list.Items)
        {
            // Items of a typed list carry no apiVersion/kind (the server leaves them out); set them so each stored object is complete.
            item.ApiVersion = type.ApiVersion;
            item.Kind = kind;
            var ns = item.Metadata.NamespaceProperty is { Length: > 0 } itemNamespace ? itemNamespace : null;
            items.Add(new ListedObject(ns, item.Metadata.Name, kind, System.Text.Encoding.UTF8.GetBytes(KubernetesJson.Serialize(item))));
        }

        var next = ((IMetadata<V1ListMeta>)list).Metadata?.ContinueProperty;
        return new ResourcePage(items, string.IsNullOrEmpty(next) ? null : next);
    }

    private static JsonObject WithType(JsonObject obj, BackupResource type, string kind)
    {
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = kind;
        return obj;
    }

    private static JsonObject ToNode(object value) => value switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText()) as JsonObject ?? throw new JsonException("The API server returned JSON that is not an object."),
        _ => JsonNode.Parse(KubernetesJson.Serialize(value)) as JsonObject ?? throw new JsonException("The API server returned JSON that is not an object."),
    };

    private static T Typed<T>(JsonObject body) => KubernetesJson.Deserialize<T>(body.ToJsonString());

    private static NotSupportedException Unsupported(BackupResource type) =>
        new($"Resource type {type} is not supported: of the core group, backups include namespaces, configmaps and secrets only.");
}
