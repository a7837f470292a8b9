using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Benchmarks.Recovery;

/// <summary>
/// What the recovery benchmarks (the console runner and the BenchmarkDotNet classes) share: the seeded
/// ManagedRoosts (10 namespaces, ~0.7 KB of JSON each) and what a user would otherwise write with
/// KubernetesClient alone: a paged list that serializes each object, and creates one at a time.
/// </summary>
internal static class RecoveryWorkload
{
    public const string Group = "roost.birb.party";
    public const string Version = "v1alpha1";
    public const string Plural = "managedroosts";
    public const int Namespaces = 10;

    /// <summary>What a user would write without the library: page through the list and serialize each object.</summary>
    public static async Task BaselineAsync(IKubernetes client)
    {
        string? continueToken = null;
        long bytes = 0;
        do
        {
            var page = (JsonElement)await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Version, Plural, continueParameter: continueToken, limit: 500);
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                bytes += JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(item.GetRawText())).Length;
            }

            continueToken = page.GetProperty("metadata").TryGetProperty("continue", out var c) && c.GetString() is { Length: > 0 } next ? next : null;
        }
        while (continueToken is not null);

        GC.KeepAlive(bytes);
    }

    /// <summary>What a user would write to put objects back without the library: one create after another.</summary>
    public static async Task CreateOneAtATimeAsync(IKubernetes client, IReadOnlyList<JsonObject> objects)
    {
        foreach (var obj in objects)
        {
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(obj, Group, Version, obj["metadata"]!["namespace"]!.GetValue<string>(), Plural);
        }
    }

    public static async Task SeedAsync(IKubernetes client, int n)
    {
        var preserve = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true };
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = $"{Plural}.{Group}" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Plural = Plural, Singular = "managedroost", Kind = "ManagedRoost", ListKind = "ManagedRoostList" },
                Versions = [new V1CustomResourceDefinitionVersion { Name = Version, Served = true, Storage = true, Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", Properties = new Dictionary<string, V1JSONSchemaProps> { ["spec"] = preserve } } } }],
            },
        });
        for (var ns = 0; ns < Namespaces; ns++)
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = $"ns-{ns}" } });
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                new JsonObject
                {
                    ["apiVersion"] = $"{Group}/{Version}",
                    ["kind"] = "ManagedRoost",
                    ["metadata"] = new JsonObject { ["name"] = $"roost-{i:D6}", ["labels"] = new JsonObject { ["app"] = "roost-keeper" } },
                    ["spec"] = new JsonObject { ["replicas"] = (i % 5) + 1, ["image"] = $"registry.birb.party/roost:{i % 4}", ["config"] = new JsonObject { ["interval"] = "30s", ["perches"] = new JsonArray(i, i + 1, i + 2) } },
                },
                Group, Version, $"ns-{i % 10}", Plural, cancellationToken: ct));
    }

    public static async Task<List<JsonObject>> ListAllAsync(IKubernetes client)
    {
        var page = (JsonElement)await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Version, Plural);
        return [.. page.GetProperty("items").EnumerateArray().Select(item =>
        {
            var obj = JsonNode.Parse(item.GetRawText())!.AsObject();
            var metadata = obj["metadata"]!.AsObject();
            foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields" })
            {
                metadata.Remove(field);
            }

            obj["apiVersion"] = $"{Group}/{Version}";
            obj["kind"] = "ManagedRoost";
            return obj;
        })];
    }

    public static async Task DeleteAllAsync(IKubernetes client)
    {
        for (var ns = 0; ns < Namespaces; ns++)
        {
            await client.CustomObjects.DeleteCollectionNamespacedCustomObjectAsync(Group, Version, $"ns-{ns}", Plural);
        }
    }
}
