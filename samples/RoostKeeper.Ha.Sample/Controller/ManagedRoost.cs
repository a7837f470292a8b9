using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>The ManagedRoost custom resource (roost.birb.party/v1alpha1), as the CRD in crd/managedroosts.yaml defines it.</summary>
internal sealed class ManagedRoost : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "roost.birb.party";
    public const string Version = "v1alpha1";
    public const string Plural = "managedroosts";
    public const string KindName = "ManagedRoost";
    public const string DefinitionName = Plural + "." + Group;

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/" + Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public ManagedRoostSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public ManagedRoostStatus? Status { get; set; }

    public static ManagedRoost Create(string name, string species, int size, string? song = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new ManagedRoostSpec { Species = species, Size = size, Song = song },
    };
}

/// <summary>What the user asks for.</summary>
internal sealed class ManagedRoostSpec
{
    [JsonPropertyName("species")]
    public string Species { get; set; } = "";

    [JsonPropertyName("size")]
    public int? Size { get; set; }

    [JsonPropertyName("song")]
    public string? Song { get; set; }
}

/// <summary>What the controller observed and did, written through the status subresource.</summary>
internal sealed class ManagedRoostStatus
{
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("configMap")]
    public string? ConfigMap { get; set; }

    [JsonPropertyName("leader")]
    public string? Leader { get; set; }

    [JsonPropertyName("term")]
    public long? Term { get; set; }

    [JsonPropertyName("conditions")]
    public IList<ManagedRoostCondition>? Conditions { get; set; }
}

/// <summary>A condition as Kubernetes API conventions define it (metav1.Condition).</summary>
internal sealed record ManagedRoostCondition
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    [JsonPropertyName("status")]
    public string Status { get; init; } = "";

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; init; }

    [JsonPropertyName("lastTransitionTime")]
    public DateTimeOffset? LastTransitionTime { get; init; }
}

/// <summary>A page of ManagedRoosts as the list endpoint returns it.</summary>
internal sealed class ManagedRoostList : IKubernetesObject<V1ListMeta>, IItems<ManagedRoost>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = ManagedRoost.Group + "/" + ManagedRoost.Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = ManagedRoost.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<ManagedRoost> Items { get; set; } = [];
}
