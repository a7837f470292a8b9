using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Testing.Tests.Api;

/// <summary>The /openapi/v3 documents kubectl reads before it leaves validation to the server.</summary>
public sealed class OpenApiDocumentsTests
{
    [Fact]
    public async Task The_index_links_a_document_for_each_group_version()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        var index = JsonNode.Parse(await http.GetStringAsync("/openapi/v3"))!["paths"]!.AsObject();

        Assert.Contains("api/v1", index.Select(p => p.Key));
        Assert.Contains("apis/apps/v1", index.Select(p => p.Key));
        var url = index["apis/apps/v1"]!["serverRelativeURL"]!.GetValue<string>();
        Assert.StartsWith("/openapi/v3/apis/apps/v1?hash=", url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Patch_operations_declare_fieldValidation_and_their_group_version_kind()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };

        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v3/apis/apps/v1"))!;

        var patch = document["paths"]!["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!["patch"]!;
        Assert.Equal("Deployment", patch["x-kubernetes-group-version-kind"]!["kind"]!.GetValue<string>());
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "fieldValidation" && p["in"]!.GetValue<string>() == "query");
    }

    [Fact]
    public async Task A_custom_resources_document_carries_its_schema_and_goes_with_its_definition()
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        var client = cluster.CreateClient("test");
        using var http = new HttpClient { BaseAddress = cluster.BaseAddress };
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = "crontabs.stable.example.com" },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = "stable.example.com",
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames { Plural = "crontabs", Kind = "CronTab" },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = "v1", Served = true, Storage = true,
                        Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", Properties = new Dictionary<string, V1JSONSchemaProps> { ["spec"] = new() { Type = "object" } } } },
                    },
                ],
            },
        });

        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v3/apis/stable.example.com/v1"))!;
        var schema = document["components"]!["schemas"]!["com.example.stable.v1.CronTab"]!;
        Assert.Equal("object", schema["properties"]!["spec"]!["type"]!.GetValue<string>());
        Assert.Equal("CronTab", schema["x-kubernetes-group-version-kind"]![0]!["kind"]!.GetValue<string>());

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("crontabs.stable.example.com");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/openapi/v3/apis/stable.example.com/v1")).StatusCode);
    }
}
