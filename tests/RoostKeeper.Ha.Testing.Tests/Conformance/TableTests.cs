using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>
/// Server-side printing as kubectl asks for it (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>):
/// the type's columns, one row per object, and the object in each row as includeObject asks.
/// </summary>
public sealed class TableTests
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    [Fact]
    public async Task A_configmap_list_as_Table_has_kubectls_columns_and_a_row_per_object()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("two", data: new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }), ns);

        var table = await GetTableAsync(client, $"api/v1/namespaces/{ns}/configmaps");

        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Data", "Age"], Columns(table));
        var row = Assert.Single(Rows(table), r => r["cells"]![0]!.GetValue<string>() == "two");
        Assert.Equal(2, row["cells"]![1]!.GetValue<int>());
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.GetValue<string>());
        Assert.Equal("two", row["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_deployment_as_Table_has_ready_up_to_date_available_and_the_wide_columns()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web", ("main", "registry.k8s.io/pause:3.9")), ns);

        var table = await GetTableAsync(client, $"apis/apps/v1/namespaces/{ns}/deployments/web");

        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], Columns(table));
        var definitions = table["columnDefinitions"]!.AsArray();
        Assert.Equal(0, definitions[1]!["priority"]!.GetValue<int>());
        Assert.Equal(1, definitions[6]!["priority"]!.GetValue<int>());
        var cells = Assert.Single(Rows(table))["cells"]!.AsArray();
        Assert.Equal("web", cells[0]!.GetValue<string>());
        Assert.Equal("registry.k8s.io/pause:3.9", cells[6]!.GetValue<string>());
    }

    [Fact]
    public async Task IncludeObject_Object_puts_the_whole_object_in_each_row()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("full"), ns);

        var table = await GetTableAsync(client, $"api/v1/namespaces/{ns}/configmaps/full?includeObject=Object");

        var obj = Assert.Single(Rows(table))["object"]!;
        Assert.Equal("ConfigMap", obj["kind"]!.GetValue<string>());
        Assert.Equal("v", obj["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_includeObject_is_refused_with_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = (Kubernetes)cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, $"api/v1/namespaces/{ns}/configmaps?includeObject=Everything"));
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        using var response = await client.HttpClient.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static async Task<JsonObject> GetTableAsync(IKubernetes client, string path)
    {
        var kubernetes = (Kubernetes)client;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kubernetes.BaseUri, path));
        request.Headers.TryAddWithoutValidation("Accept", TableAccept);
        using var response = await kubernetes.HttpClient.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static IEnumerable<string> Columns(JsonObject table) => table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());

    private static IEnumerable<JsonObject> Rows(JsonObject table) => table["rows"]!.AsArray().Select(r => r!.AsObject()).Where(r => r["cells"]![0]!.GetValue<string>() != "kube-root-ca.crt");
}
