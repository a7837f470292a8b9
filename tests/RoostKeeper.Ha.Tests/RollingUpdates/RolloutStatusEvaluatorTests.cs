using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>kubectl's DeploymentStatusViewer rules, one by one, on hand-made objects.</summary>
public sealed class RolloutStatusEvaluatorTests
{
    [Fact]
    public void Generation_not_yet_observed_is_waiting_whatever_the_counts_say()
    {
        var d = Deployment(replicas: 3, generation: 2, observed: 1, replicasNow: 3, updated: 3, available: 3);

        var report = RolloutStatusEvaluator.Evaluate(d);

        Assert.Equal(RolloutState.Waiting, report.State);
        Assert.Equal("Waiting for deployment spec update to be observed...", report.Message);
    }

    [Fact]
    public void Progress_deadline_exceeded_is_a_failure_once_observed()
    {
        var d = Deployment(replicas: 3, updated: 1, available: 2, replicasNow: 4, progressingReason: "ProgressDeadlineExceeded");

        var report = RolloutStatusEvaluator.Evaluate(d);

        Assert.Equal(RolloutState.DeadlineExceeded, report.State);
        Assert.Equal("deployment \"roost\" exceeded its progress deadline", report.Message);
    }

    [Fact]
    public void Progress_deadline_is_not_judged_before_the_generation_is_observed()
    {
        var d = Deployment(replicas: 3, generation: 3, observed: 2, progressingReason: "ProgressDeadlineExceeded");

        Assert.Equal(RolloutState.Waiting, RolloutStatusEvaluator.Evaluate(d).State);
    }

    [Theory]
    [InlineData(3, 1, 3, 3, "1 out of 3 new replicas have been updated")]
    [InlineData(4, 3, 3, 3, "1 old replicas are pending termination")]
    [InlineData(3, 3, 2, 2, "2 of 3 updated replicas are available")]
    public void Waiting_messages_follow_kubectl_in_its_order(int replicasNow, int updated, int available, int ready, string expected)
    {
        var d = Deployment(replicas: 3, replicasNow: replicasNow, updated: updated, available: available, ready: ready);

        var report = RolloutStatusEvaluator.Evaluate(d);

        Assert.Equal(RolloutState.Waiting, report.State);
        Assert.Equal($"Waiting for deployment \"roost\" rollout to finish: {expected}...", report.Message);
        Assert.InRange(report.Progress, 0, 0.99);
    }

    [Fact]
    public void Everything_updated_and_available_with_no_old_replica_is_complete()
    {
        var d = Deployment(replicas: 3, replicasNow: 3, updated: 3, available: 3, ready: 3);

        var report = RolloutStatusEvaluator.Evaluate(d);

        Assert.Equal(RolloutState.Complete, report.State);
        Assert.Equal("deployment \"roost\" successfully rolled out", report.Message);
        Assert.Equal(1.0, report.Progress);
    }

    [Fact]
    public void An_old_replica_set_that_still_reports_pods_keeps_the_rollout_waiting_even_when_the_deployment_status_does_not()
    {
        var d = Deployment(replicas: 2, replicasNow: 2, updated: 2, available: 2);
        var current = ReplicaSet("roost-new", d.Spec.Template, revision: 2, pods: 2);
        var old = ReplicaSet("roost-old", Template("roost:v0"), revision: 1, pods: 1);

        var report = RolloutStatusEvaluator.Evaluate(d, [old, current]);

        Assert.Equal(RolloutState.Waiting, report.State);
        Assert.Contains("1 old replicas are pending termination", report.Message, StringComparison.Ordinal);
        Assert.Equal("roost-new", report.NewReplicaSet?.Metadata.Name);
    }

    [Fact]
    public void Expected_revision_that_differs_is_reported_as_kubectl_does()
    {
        var d = Deployment(replicas: 1, replicasNow: 1, updated: 1, available: 1, revision: 4);

        var report = RolloutStatusEvaluator.Evaluate(d, expectedRevision: 3);

        Assert.Equal(RolloutState.RevisionChanged, report.State);
        Assert.Equal("desired revision (3) is different from the running revision (4)", report.Message);
    }

    [Fact]
    public void New_replica_set_is_found_by_template_ignoring_the_hash_label()
    {
        var d = Deployment(replicas: 1);
        var withHash = Template("roost:v1");
        withHash.Metadata.Labels["pod-template-hash"] = "abc123";
        var other = ReplicaSet("roost-old", Template("roost:v0"), revision: 1, pods: 0);
        var match = ReplicaSet("roost-abc123", withHash, revision: 2, pods: 1);

        Assert.Equal("roost-abc123", RolloutStatusEvaluator.FindNewReplicaSet(d, [other, match])?.Metadata.Name);
        Assert.Null(RolloutStatusEvaluator.FindNewReplicaSet(d, [other]));
    }

    [Theory]
    [InlineData(null, 0L)]
    [InlineData("7", 7L)]
    [InlineData("x", 0L)]
    public void Revision_reads_the_annotation_or_zero(string? annotation, long expected)
    {
        var meta = new V1ObjectMeta { Annotations = annotation is null ? null : new Dictionary<string, string> { [RolloutStatusEvaluator.RevisionAnnotation] = annotation } };

        Assert.Equal(expected, RolloutStatusEvaluator.Revision(meta));
    }

    internal static V1PodTemplateSpec Template(string image) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "roost" } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "roost", Image = image }] },
    };

    private static V1Deployment Deployment(int replicas, long generation = 1, long observed = 1, int replicasNow = 0, int updated = 0, int available = 0, int ready = 0,
        string? progressingReason = null, long revision = 1) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "roost",
            NamespaceProperty = "ns",
            Generation = generation,
            Annotations = new Dictionary<string, string> { [RolloutStatusEvaluator.RevisionAnnotation] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        Spec = new V1DeploymentSpec { Replicas = replicas, Template = Template("roost:v1"), Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "roost" } } },
        Status = new V1DeploymentStatus
        {
            ObservedGeneration = observed,
            Replicas = replicasNow,
            UpdatedReplicas = updated,
            AvailableReplicas = available,
            ReadyReplicas = ready,
            Conditions = progressingReason is null ? null : [new V1DeploymentCondition { Type = "Progressing", Status = "False", Reason = progressingReason }],
        },
    };

    private static V1ReplicaSet ReplicaSet(string name, V1PodTemplateSpec template, long revision, int pods) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            CreationTimestamp = DateTime.UtcNow.AddMinutes(-revision),
            Annotations = new Dictionary<string, string> { [RolloutStatusEvaluator.RevisionAnnotation] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        Spec = new V1ReplicaSetSpec { Template = template },
        Status = new V1ReplicaSetStatus { Replicas = pods },
    };
}
