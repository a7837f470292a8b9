namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// One kind of object a backup includes: a resource type by API group, version and plural name, optionally
/// narrowed to one namespace and a label selector.
/// </summary>
/// <param name="Group">The API group; empty for the core group (ConfigMaps, Secrets, Namespaces).</param>
/// <param name="Version">The API version, e.g. "v1alpha1".</param>
/// <param name="Plural">The resource's plural name, e.g. "managedroosts".</param>
/// <param name="Namespace">Only this namespace; null for every namespace (or for cluster-scoped types).</param>
/// <param name="LabelSelector">A Kubernetes label selector such as "app=roost-keeper"; null for every object.</param>
public sealed record BackupResource(string Group, string Version, string Plural, string? Namespace = null, string? LabelSelector = null)
{
    /// <summary>"plural.group/version", or "plural/version" for the core group: how logs and errors name the type.</summary>
    public override string ToString() => Group.Length == 0 ? $"{Plural}/{Version}" : $"{Plural}.{Group}/{Version}";

    internal bool IsCore => Group.Length == 0;

    internal bool IsSecrets => IsCore && Plural == "secrets";

    internal bool IsNamespaces => IsCore && Plural == "namespaces";

    internal bool IsConfigMaps => IsCore && Plural == "configmaps";

    internal bool IsDefinitions => Group == "apiextensions.k8s.io" && Plural == "customresourcedefinitions";

    internal string ApiVersion => IsCore ? Version : $"{Group}/{Version}";
}
