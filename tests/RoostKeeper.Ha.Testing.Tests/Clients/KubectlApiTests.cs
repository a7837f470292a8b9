using System.Diagnostics;
using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Clients;

/// <summary>
/// kubectl against SimulatedCluster beyond Deployments: health endpoints, create namespace and configmap
/// (protobuf bodies), get -w, paging with --chunk-size, events, get all, custom resources with their
/// schema and printer columns, and server-side apply.
/// </summary>
public sealed class KubectlApiTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KubectlApiTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Health_endpoints_answer_ok()
    {
        foreach (var endpoint in new[] { "/healthz", "/livez", "/readyz" })
        {
            Assert.Equal("ok", await _kubectl.RunAsync("get", "--raw", endpoint));
        }

        Assert.Contains("readyz check passed", await _kubectl.RunAsync("get", "--raw", "/readyz?verbose"));
    }

    [Fact]
    public async Task Create_namespace_configmap_secret_serviceaccount_and_deployment_work_with_kubectls_protobuf_bodies()
    {
        var ns = $"created-{Guid.NewGuid():N}"[..20];
        Assert.Contains($"namespace/{ns} created", await _kubectl.RunAsync("create", "namespace", ns));
        Assert.Contains("configmap/settings created", await _kubectl.RunAsync("create", "configmap", "settings", "-n", ns, "--from-literal=mode=blue", "--from-literal=size=3"));

        Assert.Contains("secret/token created", await _kubectl.RunAsync("create", "secret", "generic", "token", "-n", ns, "--from-literal=key=s3cret"));
        Assert.Contains("serviceaccount/robot created", await _kubectl.RunAsync("create", "serviceaccount", "robot", "-n", ns));

        var configMap = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("s3cret", System.Text.Encoding.UTF8.GetString((await _fixture.Client.CoreV1.ReadNamespacedSecretAsync("token", ns)).Data["key"]));
        Assert.NotNull(await _fixture.Client.CoreV1.ReadNamespacedServiceAccountAsync("robot", ns));

        Assert.Contains("deployment.apps/web created", await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=2", "--port=8080"));
        var deployment = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("web", deployment.Spec.Selector.MatchLabels["app"]);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal(("nginx:1.27", 8080), (container.Image, Assert.Single(container.Ports).ContainerPort));
        Assert.NotEqual(true, deployment.Spec.Paused);

        // A kind whose protobuf the simulator does not decode is refused, saying what to do.
        var service = await _kubectl.TryRunAsync("create", "service", "clusterip", "web", "-n", ns, "--tcp=80:8080");
        Assert.NotEqual(0, service.ExitCode);
        Assert.Contains("send JSON", service.Stderr);
        Assert.Equal("blue", configMap.Data["mode"]);
        Assert.Equal("3", configMap.Data["size"]);
        Assert.Equal("Active", (await _fixture.Client.CoreV1.ReadNamespaceAsync(ns)).Status.Phase);
    }

    [Fact]
    public async Task Get_watch_prints_changes_as_they_happen()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-watch");
        using var watch = _kubectl.Start("get", "configmaps", "-n", ns, "--watch", "--output-watch-events");
        try
        {
            // Nothing exists yet: kubectl must get the watch's headers at once and wait for events.
            await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "first" } }, ns);
            // A Table per event, printed under one header: EVENT NAME DATA AGE.
            Assert.StartsWith("ADDED", await ReadLineContainingAsync(watch, "first"));
            await _fixture.Client.CoreV1.DeleteNamespacedConfigMapAsync("first", ns);
            Assert.StartsWith("DELETED", await ReadLineContainingAsync(watch, "first"));
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Get_with_chunk_size_pages_through_the_list()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-chunks");
        for (var i = 0; i < 5; i++)
        {
            await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" } }, ns);
        }

        var lists = _fixture.Cluster.Requests.Count("anonymous", "list", "configmaps");
        var names = await _kubectl.RunAsync("get", "configmaps", "-n", ns, "--chunk-size=2", "-o", "name");

        // Six with the kube-root-ca.crt of every namespace: three pages of two.
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"configmap/cm-{i}").Append("configmap/kube-root-ca.crt"), names.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, _fixture.Cluster.Requests.Count("anonymous", "list", "configmaps") - lists);
    }

    [Fact]
    public async Task Get_events_shows_the_events_in_the_namespace()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-events");
        await _fixture.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" },
            InvolvedObject = new V1ObjectReference { Kind = "Deployment", Name = "web", NamespaceProperty = ns },
            Reason = "ScalingReplicaSet",
            Message = "Scaled up replica set web-1 to 2",
            Type = "Normal",
        }, ns);

        var events = await _kubectl.RunAsync("get", "events", "-n", ns);
        Assert.Contains("ScalingReplicaSet", events);
        Assert.Contains("Scaled up replica set web-1 to 2", events);
    }

    [Fact]
    public async Task Get_all_lists_the_workloads_of_the_namespace()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-all");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 1)));
        await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");

        var all = await _kubectl.RunAsync("get", "all", "-n", ns);
        Assert.Contains("deployment.apps/web", all);
        Assert.Contains("replicaset.apps/web-", all);
        Assert.Contains("pod/web-", all);
    }

    [Fact]
    public async Task Custom_resources_are_validated_against_their_schema_and_printed_with_their_columns()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-crd");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("crd.yaml", Manifests.CrontabDefinition));
        await _kubectl.RunAsync("wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=60s");

        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("ct.yaml", Manifests.Crontab(ns, "nightly")));
        var table = await _kubectl.RunAsync("get", "crontabs", "-n", ns);
        KubectlDeploymentTests.AssertColumns(table, "NAME", "SPEC", "REPLICAS", "AGE");
        Assert.Contains("*/5 * * * *", table);

        // Default validation is strict: a field the schema does not declare is refused.
        var unknown = await _kubectl.TryRunAsync("apply", "-f", _fixture.WriteFile("ct.yaml", Manifests.Crontab(ns, "bad", "colour: red")));
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("colour", unknown.Stderr);
        Assert.Null(await TryReadCrontabAsync(ns, "bad"));
    }

    [Fact]
    public async Task Apply_server_side_creates_then_updates_and_records_the_field_manager()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-ssa");
        await _kubectl.RunAsync("apply", "--server-side", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 1)));
        await _kubectl.RunAsync("apply", "--server-side", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 2, image: "nginx:1.28")));

        var deployment = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal("nginx:1.28", Assert.Single(deployment.Spec.Template.Spec.Containers).Image);
        Assert.Contains(deployment.Metadata.ManagedFields, m => m.Manager == "kubectl" && m.Operation == "Apply");

        // Another manager that changes a field kubectl owns gets a conflict, unless it forces.
        var conflict = await _kubectl.TryRunAsync("apply", "--server-side", "--field-manager=other", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 5)));
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict", conflict.Stderr, StringComparison.OrdinalIgnoreCase);
        await _kubectl.RunAsync("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 5)));
        Assert.Equal(5, (await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    }

    private async Task<object?> TryReadCrontabAsync(string ns, string name)
    {
        try
        {
            return await _fixture.Client.CustomObjects.GetNamespacedCustomObjectAsync("stable.example.com", "v1", ns, "crontabs", name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<string> ReadLineContainingAsync(Process process, string text)
    {
        using var cts = new CancellationTokenSource(ExternalProcess.Patience);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }

        Assert.Fail($"kubectl ended without printing a line with \"{text}\": {await process.StandardError.ReadToEndAsync()}");
        return "";
    }
}
