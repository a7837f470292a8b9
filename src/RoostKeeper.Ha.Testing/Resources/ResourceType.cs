using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>A resource the simulated API server serves: one group/version/plural.</summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    bool HasStatusSubresource,
    string? Singular = null,
    IReadOnlyList<string>? ShortNames = null,
    IReadOnlyList<string>? Categories = null)
{
    /// <summary>A custom resource version's <c>openAPIV3Schema</c>; null for built-in types.</summary>
    public JsonObject? Schema { get; init; }

    /// <summary>A custom resource version's <c>additionalPrinterColumns</c>; null for built-in types.</summary>
    public JsonArray? PrinterColumns { get; init; }

    /// <summary>Whether this is a version of a CustomResourceDefinition rather than a built-in type.</summary>
    public bool IsCustom { get; init; }

    /// <summary>The <c>scale</c> subresource, where the kind has one (built-in workloads, CRDs that declare it).</summary>
    public ScaleSubresource? Scale { get; init; }

    /// <summary>The verbs the kind serves, as discovery lists them; a request for another is a 405.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = AllVerbs;

    /// <summary>
    /// The field labels a <c>fieldSelector</c> may use besides <c>metadata.name</c> and <c>metadata.namespace</c>
    /// (the real server's per-kind field label conversion); any other is a 400.
    /// </summary>
    public IReadOnlyDictionary<string, FieldLabel> FieldLabels { get; init; } = NoFieldLabels;

    /// <summary>Set for a kind served from another kind's storage (events.k8s.io Events).</summary>
    public ResourceConversion? Conversion { get; init; }

    /// <summary>Whether a create is answered rather than stored (TokenReview, SubjectAccessReview, ...).</summary>
    public bool IsReview { get; init; }

    /// <summary>The verbs of a kind stored as objects: everything.</summary>
    public static IReadOnlyList<string> AllVerbs { get; } = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    private static readonly Dictionary<string, FieldLabel> NoFieldLabels = [];

    /// <summary>apiVersion as objects carry it: "v1" for the core group, "group/version" otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>"leases.coordination.k8s.io" as the API server names a resource in messages.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>Storage is shared by every version of a group's resource.</summary>
    public (string Group, string Plural) StorageKey => (Group, Plural);

    /// <summary>
    /// Whether DELETE answers with the deleted object rather than a <c>Status</c>, as the registries of pods,
    /// services and service accounts do (<c>ReturnDeletedObject</c>); KubernetesClient's delete methods for
    /// those resources expect the object.
    /// </summary>
    public bool ReturnsDeletedObject => Group.Length == 0 && Plural is "pods" or "services" or "serviceaccounts";

    public JsonObject DetailsFor(string name) => new()
    {
        ["name"] = name,
        ["group"] = Group,
        ["kind"] = Plural,
    };
}
