using k8s;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Admission;

/// <summary>
/// A pod's spec after creation, as v1.33's ValidatePodUpdate allows it to change, through kubectl: images, added
/// tolerations and a lower activeDeadlineSeconds may change; anything else is the server's Forbidden.
/// </summary>
public sealed class PodUpdateTests : IClassFixture<KubectlCluster>
{
    private const string Refusal =
        "The Pod \"solo\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`," +
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)," +
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public PodUpdateTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    private string Manifest(string ns, int port) => _fixture.WriteFile("pod.yaml", $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: solo
          namespace: {ns}
        spec:
          containers:
          - name: main
            image: nginx:1.27
            ports:
            - containerPort: {port}
        """);

    [Fact]
    public async Task Kubectl_apply_of_a_changed_pod_spec_is_refused_with_the_real_message()
    {
        var ns = await _fixture.NewNamespaceAsync("pod-update");
        await _kubectl.RunAsync("apply", "-f", Manifest(ns, 80));

        var result = await _kubectl.TryRunAsync("apply", "-f", Manifest(ns, 8080));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(Refusal, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.containers[0].ports[0].containerPort", result.Stderr, StringComparison.Ordinal); // what changed
        var pod = await _fixture.Client.CoreV1.ReadNamespacedPodAsync("solo", ns);
        Assert.Equal(80, pod.Spec.Containers[0].Ports[0].ContainerPort);

        // Adding or removing a container is refused before anything else.
        result = await _kubectl.TryRunAsync("patch", "pod", "solo", "-n", ns, "--type=json", "-p", """[{"op":"add","path":"/spec/containers/-","value":{"name":"side","image":"busybox"}}]""");
        Assert.Contains("The Pod \"solo\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Images_added_tolerations_and_a_lower_deadline_may_change_and_nothing_else()
    {
        var ns = await _fixture.NewNamespaceAsync("pod-mutable");
        await _kubectl.RunAsync("apply", "-f", Manifest(ns, 80));

        await _kubectl.RunAsync("set", "image", "pod/solo", "-n", ns, "main=nginx:1.28");
        await _kubectl.RunAsync("label", "pod", "solo", "-n", ns, "tier=web"); // metadata is not the spec
        await _kubectl.RunAsync("patch", "pod", "solo", "-n", ns, "--type=json", "-p",
            """[{"op":"add","path":"/spec/tolerations/-","value":{"key":"gpu","operator":"Exists","effect":"NoSchedule"}}]""");
        await _kubectl.RunAsync("patch", "pod", "solo", "-n", ns, "-p", """{"spec":{"activeDeadlineSeconds":300}}""");
        await _kubectl.RunAsync("patch", "pod", "solo", "-n", ns, "-p", """{"spec":{"activeDeadlineSeconds":200}}""");

        var pod = await _fixture.Client.CoreV1.ReadNamespacedPodAsync("solo", ns);
        Assert.Equal(("nginx:1.28", 200L), (pod.Spec.Containers[0].Image, pod.Spec.ActiveDeadlineSeconds ?? 0));
        Assert.Contains(pod.Spec.Tolerations, t => t.Key == "gpu");

        var raised = await _kubectl.TryRunAsync("patch", "pod", "solo", "-n", ns, "-p", """{"spec":{"activeDeadlineSeconds":400}}""");
        Assert.Contains("The Pod \"solo\" is invalid: spec.activeDeadlineSeconds: Invalid value: 400: must be less than or equal to previous value", raised.Stderr, StringComparison.Ordinal);

        var tolerations = (await _fixture.Client.CoreV1.ReadNamespacedPodAsync("solo", ns)).Spec.Tolerations;
        var gpu = tolerations.Select((t, i) => (t, i)).Single(p => p.t.Key == "gpu").i;
        var modified = await _kubectl.TryRunAsync("patch", "pod", "solo", "-n", ns, "--type=json", "-p",
            $$"""[{"op":"replace","path":"/spec/tolerations/{{gpu}}/effect","value":"NoExecute"}]""");
        Assert.Contains("spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds", modified.Stderr, StringComparison.Ordinal);

        var dns = await _kubectl.TryRunAsync("patch", "pod", "solo", "-n", ns, "-p", """{"spec":{"dnsPolicy":"Default"}}""");
        Assert.Contains(Refusal, dns.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.dnsPolicy", dns.Stderr, StringComparison.Ordinal);
    }
}
