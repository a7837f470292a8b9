using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>
/// What a new namespace gets from a cluster's controllers: the <c>default</c> ServiceAccount (serviceaccounts
/// controller) and the <c>kube-root-ca.crt</c> ConfigMap with the cluster's CA bundle (root-ca-cert-publisher).
/// Created in the same write as the namespace, so they exist as soon as it does.
/// </summary>
internal sealed partial class ObjectStore
{
    public const string RootCaConfigMap = "kube-root-ca.crt";

    private const string RootCaDescription =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    private string? _caBundle;

    /// <summary>The simulated cluster's CA certificate (PEM): self-signed, made once per cluster.</summary>
    public string CaBundle => _caBundle ??= CreateCaBundle(Time.GetUtcNow());

    private void PopulateNamespace(string ns)
    {
        if (_dryRun)
        {
            return;
        }

        Create(Registry.Find("", "v1", "serviceaccounts")!, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } });
        Create(Registry.Find("", "v1", "configmaps")!, ns, new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = RootCaConfigMap, ["annotations"] = new JsonObject { ["kubernetes.io/description"] = RootCaDescription } },
            ["data"] = new JsonObject { ["ca.crt"] = CaBundle },
        });
    }

    private static string CreateCaBundle(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kubernetes", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-1), now.AddYears(10));
        return certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>
    /// The conditions the namespace controller reports on a Terminating namespace that content still holds: what
    /// remains (per resource) and which finalizers hold it, next to the three failure conditions it clears.
    /// </summary>
    private void ReportNamespaceConditions(string name)
    {
        if (!Bucket(ResourceRegistry.Namespaces).TryGetValue(("", name), out var ns) || !ObjectMeta.IsDeleting(ns))
        {
            return;
        }

        var remaining = new SortedSet<string>(StringComparer.Ordinal);
        var finalizers = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var type in Registry.All().Where(t => t.Namespaced).DistinctBy(t => t.StorageKey))
        {
            var contained = Bucket(type).Where(p => p.Key.Namespace == name).Select(p => p.Value).ToList();
            if (contained.Count > 0)
            {
                remaining.Add($"{type.Plural}.{type.Group} has {contained.Count} resource instances");
            }

            foreach (var finalizer in contained.SelectMany(o => (o["metadata"]?["finalizers"] as JsonArray ?? []).Select(f => f?.GetValue<string>() ?? "")))
            {
                finalizers[finalizer] = finalizers.GetValueOrDefault(finalizer) + 1;
            }
        }

        var now = ObjectMeta.Timestamp(Time.GetUtcNow());
        JsonObject Condition(string type, bool status, string reason, string message) =>
            new() { ["type"] = type, ["status"] = status ? "True" : "False", ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message };

        var updated = (JsonObject)ns.DeepClone();
        updated["status"] = new JsonObject
        {
            ["phase"] = "Terminating",
            ["conditions"] = new JsonArray(
                Condition("NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered"),
                Condition("NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions", "All legacy kube types successfully parsed"),
                Condition("NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
                remaining.Count > 0
                    ? Condition("NamespaceContentRemaining", true, "SomeResourcesRemain", "Some resources are remaining: " + string.Join(", ", remaining))
                    : Condition("NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed"),
                finalizers.Count > 0
                    ? Condition("NamespaceFinalizersRemaining", true, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + string.Join(", ", finalizers.Select(f => $"{f.Key} in {f.Value} resource instances")))
                    : Condition("NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished")),
        };
        if (!JsonNode.DeepEquals(updated, ns))
        {
            Commit(ResourceRegistry.Namespaces, ns, updated, "MODIFIED");
        }
    }
}
