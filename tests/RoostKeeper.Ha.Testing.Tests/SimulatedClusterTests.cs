using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Testing.Tests;

/// <summary>
/// The cluster as an embedded server: health endpoints, watch streams that start at once, the Python
/// client's <c>watch=True</c>, unexpected errors surfaced and logged, and no hold on the process's signals.
/// </summary>
public sealed class SimulatedClusterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    [InlineData("/readyz/ping")]
    public async Task Health_endpoints_answer_ok_in_plain_text(string path)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_health_check_answers_404()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        using var response = await http.GetAsync("/readyz/no-such-check");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_watch_sends_its_headers_before_the_first_event()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var cts = new CancellationTokenSource(Patience);

        // Nothing will change in the namespace: the headers must come anyway, as a real API server sends them.
        using var response = await http.GetAsync(
            $"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={cluster.ResourceVersion}", HttpCompletionOption.ResponseHeadersRead, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("True")]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("yes")]
    public async Task Any_watch_value_but_false_or_0_opens_a_watch(string value)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        var client = cluster.CreateClient("test");
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var cts = new CancellationTokenSource(Patience);

        using var response = await http.GetAsync(
            $"/api/v1/namespaces/default/configmaps?watch={value}&resourceVersion={cluster.ResourceVersion}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "seen" } }, "default", cancellationToken: cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var line = await reader.ReadLineAsync(cts.Token);

        var e = JsonNode.Parse(line!)!;
        Assert.Equal("ADDED", e["type"]!.GetValue<string>());
        Assert.Equal("seen", e["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("false")]
    [InlineData("False")]
    [InlineData("0")]
    public async Task Watch_false_or_0_is_a_plain_list(string value)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        var list = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/default/configmaps?watch={value}"))!;

        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_simulated_controller_that_fails_unexpectedly_is_reported_in_Errors_and_logged()
    {
        var logs = new LogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { LoggerFactory = loggerFactory });
        var client = cluster.CreateClient("test");
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };
        Assert.Empty(cluster.Errors);

        // The store takes any JSON; the EndpointSlice controller cannot match a label whose value is a number.
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");
        using var response = await http.PostAsync("/api/v1/namespaces/default/pods", new StringContent(
            """{"metadata":{"name":"odd","labels":{"app":5}},"spec":{"containers":[{"name":"c","image":"i"}]}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        await Eventually.UntilAsync(() => cluster.Errors.Count > 0, "the controller's error to be kept in cluster.Errors", Patience, TimeSpan.FromMilliseconds(20));

        var error = cluster.Errors[0];
        Assert.Equal("EndpointSliceController reconcile default/web", error.Source);
        Assert.IsType<InvalidOperationException>(error.Exception);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.EventId == 8001 && e.Exception is not null);
        Assert.Contains(logs.Entries, e => e.EventId == 8000 && e.Message.Contains(cluster.BaseAddress.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_the_server_fails_on_is_answered_500_and_reported_in_Errors()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        using var response = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(
            """{"metadata":{"name":5}}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = Assert.Single(cluster.Errors);
        Assert.Equal("ApiServer POST /api/v1/namespaces/default/configmaps", error.Source);
    }

    [Fact]
    public async Task Expected_races_are_not_errors()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = TimeSpan.FromMilliseconds(10) });
        var client = cluster.CreateClient("test");
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i:1" }] },
                },
            },
        };

        // Create and delete at once: the controllers meet objects that vanish under them.
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");
        await client.AppsV1.DeleteNamespacedDeploymentAsync("web", "default");
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default");
        await Eventually.UntilAsync(
            async () => (await client.AppsV1.ReadNamespacedDeploymentAsync("web", "default")).Status?.AvailableReplicas == 3,
            "deployment web to have 3 available replicas",
            Patience,
            TimeSpan.FromMilliseconds(20));

        Assert.Empty(cluster.Errors);
    }

    [Fact]
    public async Task The_embedded_server_leaves_SIGTERM_to_the_program()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The program's own handler: it cancels the default termination and decides itself.
        using var registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            received.TrySetResult();
        });
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        using (var kill = Process.Start("kill", ["-TERM", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await received.Task.WaitAsync(Patience);

        // A console lifetime inside the cluster would have taken the signal too (and cancelled the process's
        // termination on its own) and begun stopping its host; give it the chance, then look.
        await Task.Delay(500);
        Assert.False(cluster.HostStopping.IsCancellationRequested, "the cluster's web host reacted to the process's SIGTERM");
        Assert.Equal("ok", await http.GetStringAsync("/healthz"));
        var client = cluster.CreateClient("after-signal");
        Assert.NotEmpty((await client.CoreV1.ListNamespaceAsync()).Items);
    }
}
