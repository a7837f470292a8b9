using System.Text.Json.Nodes;
using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>The patch matches kubectl rollout undo's (rollback.go): template without the hash, annotations from the ReplicaSet.</summary>
public sealed class DeploymentRollbackTests
{
    [Fact]
    public void Patch_replaces_template_without_hash_and_annotations_as_kubectl_undo_does()
    {
        var deployment = Deployment("roost:v2", new()
        {
            [RolloutStatusEvaluator.RevisionAnnotation] = "3",
            ["kubernetes.io/change-cause"] = "release 3",
            [RollingUpdateManager.LockAnnotation] = "id=upd-now;holder=a;expires=2030-01-01T00:00:00Z",
            ["team"] = "birds",
        });
        var target = ReplicaSet(2, "roost:v1", new()
        {
            [RolloutStatusEvaluator.RevisionAnnotation] = "2",
            ["deployment.kubernetes.io/desired-replicas"] = "3",
            ["kubernetes.io/change-cause"] = "release 2",
            [RollingUpdateManager.LockAnnotation] = "id=upd-old;holder=b;expires=2020-01-01T00:00:00Z",
        });

        var patch = DeploymentRollback.BuildPatch(deployment, target);

        Assert.Equal(V1Patch.PatchType.JsonPatch, patch?.Type);
        var ops = JsonNode.Parse((string)patch!.Content)!.AsArray();
        Assert.Equal(["/spec/template", "/metadata/annotations"], ops.Select(o => (string)o!["path"]!));
        Assert.All(ops, o => Assert.Equal("replace", (string)o!["op"]!));
        var template = ops[0]!["value"]!;
        Assert.Equal("roost:v1", (string)template["spec"]!["containers"]![0]!["image"]!);
        Assert.Null(template["metadata"]!["labels"]!["pod-template-hash"]);
        var annotations = ops[1]!["value"]!.AsObject();
        Assert.Equal(
            new Dictionary<string, string>
            {
                [RolloutStatusEvaluator.RevisionAnnotation] = "3",
                [RollingUpdateManager.LockAnnotation] = "id=upd-now;holder=a;expires=2030-01-01T00:00:00Z",
                ["kubernetes.io/change-cause"] = "release 2",
            },
            annotations.ToDictionary(p => p.Key, p => (string)p.Value!));
    }

    [Fact]
    public void Same_template_needs_no_patch_unless_the_deployment_is_paused()
    {
        var deployment = Deployment("roost:v1", new() { [RolloutStatusEvaluator.RevisionAnnotation] = "2" });
        var target = ReplicaSet(1, "roost:v1", new() { [RolloutStatusEvaluator.RevisionAnnotation] = "1" });

        Assert.Null(DeploymentRollback.BuildPatch(deployment, target));
        deployment.Spec.Paused = true;
        var ops = JsonNode.Parse((string)DeploymentRollback.BuildPatch(deployment, target)!.Content)!.AsArray();
        Assert.Contains(ops, o => (string)o!["path"]! == "/spec/paused" && (bool)o["value"]! == false);
    }

    [Fact]
    public void Revision_zero_finds_the_second_newest_as_kubectl_does()
    {
        var sets = new[] { ReplicaSet(1, "a", []), ReplicaSet(3, "c", []), ReplicaSet(2, "b", []) };

        Assert.Equal("roost-2", DeploymentRollback.FindRevision(sets, 0)?.Metadata.Name);
        Assert.Equal("roost-1", DeploymentRollback.FindRevision(sets, 1)?.Metadata.Name);
        Assert.Null(DeploymentRollback.FindRevision(sets, 9));
        Assert.Null(DeploymentRollback.FindRevision([sets[0]], 0));
    }

    private static V1Deployment Deployment(string image, Dictionary<string, string> annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = "roost", Annotations = annotations },
        Spec = new V1DeploymentSpec { Template = RolloutStatusEvaluatorTests.Template(image) },
    };

    private static V1ReplicaSet ReplicaSet(long revision, string image, Dictionary<string, string> annotations)
    {
        var template = RolloutStatusEvaluatorTests.Template(image);
        template.Metadata.Labels["pod-template-hash"] = "h" + revision;
        annotations[RolloutStatusEvaluator.RevisionAnnotation] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new V1ReplicaSet { Metadata = new V1ObjectMeta { Name = "roost-" + revision, Annotations = annotations }, Spec = new V1ReplicaSetSpec { Template = template } };
    }
}
