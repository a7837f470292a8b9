using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Api;

/// <summary>
/// <c>kubectl explain</c> for built-in and custom kinds, from the component schemas of <c>/openapi/v3</c>
/// (kubectl 1.33 reads the index, then the document of the kind's group-version); the built-in schemas
/// carry the merge keys kubectl computes its strategic merge patches from.
/// </summary>
public sealed class OpenApiSchemasTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public OpenApiSchemasTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Kubectl_explain_shows_the_fields_of_a_built_in_kind()
    {
        var spec = await _kubectl.RunAsync("explain", "deployment.spec");

        Assert.Contains("KIND:       Deployment", spec, StringComparison.Ordinal);
        Assert.Contains("FIELD: spec <DeploymentSpec>", spec, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  replicas\t<integer>$", spec);
        Assert.Matches(@"(?m)^  selector\t<LabelSelector>$", spec);
        Assert.Matches(@"(?m)^  template\t<PodTemplateSpec>$", spec);

        var ports = await _kubectl.RunAsync("explain", "pods.spec.containers.ports");
        Assert.Contains("FIELD: ports <[]ContainerPort>", ports, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  containerPort\t<integer>$", ports);

        var recursive = await _kubectl.RunAsync("explain", "ingress.spec", "--recursive");
        Assert.Matches(@"(?m)^\s+host\t<string>$", recursive);
    }

    [Fact]
    public async Task Kubectl_explain_shows_a_custom_kind_with_its_schema_and_the_standard_fields()
    {
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("crd.yaml", Manifests.CrontabDefinition));
        await EventuallyAsync(async () => (await _kubectl.TryRunAsync("explain", "crontab")).ExitCode == 0, "kubectl explain crontab");

        var top = await _kubectl.RunAsync("explain", "crontab");
        Assert.Matches(@"(?m)^  metadata\t<ObjectMeta>$", top);
        Assert.Matches(@"(?m)^  spec\t<Object>$", top);
        Assert.Matches(@"(?m)^  cronSpec\t<string>$", await _kubectl.RunAsync("explain", "crontab.spec"));
    }

    [Fact]
    public async Task An_unknown_field_is_an_error_from_kubectl_explain()
    {
        var refused = await _kubectl.TryRunAsync("explain", "deployment.spec.nonsense");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("field \"nonsense\" does not exist", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Built_in_schemas_carry_the_merge_keys_the_server_merges_by()
    {
        using var http = new HttpClient { BaseAddress = _fixture.Cluster.BaseAddress };
        var schemas = JsonNode.Parse(await http.GetStringAsync("/openapi/v3/api/v1"))!["components"]!["schemas"]!.AsObject();

        var pod = schemas.Single(s => s.Value!["x-kubernetes-group-version-kind"]?[0]?["kind"]?.GetValue<string>() == "Pod").Value!;
        Assert.Equal("io.k8s.v1.PodSpec", pod["properties"]!["spec"]!["$ref"]!.GetValue<string>().Split('/')[^1]);
        var containers = schemas["io.k8s.v1.PodSpec"]!["properties"]!["containers"]!;
        Assert.Equal(("merge", "name"), (containers["x-kubernetes-patch-strategy"]!.GetValue<string>(), containers["x-kubernetes-patch-merge-key"]!.GetValue<string>()));
        var ports = schemas["io.k8s.v1.Container"]!["properties"]!["ports"]!;
        Assert.Equal("containerPort", ports["x-kubernetes-patch-merge-key"]!.GetValue<string>());
        Assert.Null(schemas["io.k8s.v1.PodSpec"]!["properties"]!["tolerations"]!["x-kubernetes-patch-strategy"]); // replaced whole, as here
    }
}
