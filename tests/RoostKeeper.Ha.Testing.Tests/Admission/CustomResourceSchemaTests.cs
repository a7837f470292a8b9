using System.Text.Json.Nodes;
using k8s;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Admission;

/// <summary>
/// Custom resources follow their CRD's structural schema as on a v1.33 server: values checked against it
/// (422 with field paths), schema defaults filled in, unknown fields pruned unless preserved, and strategic
/// merge patch refused with 415.
/// </summary>
public sealed class CustomResourceSchemaTests : IClassFixture<KubectlCluster>
{
    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: widgets.schema.example.com}
        spec:
          group: schema.example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size: {type: string, enum: [small, large]}
                      replicas: {type: integer, minimum: 0, maximum: 10, default: 1}
                      name: {type: string, pattern: '^[a-z]+$', maxLength: 8}
                      port: {x-kubernetes-int-or-string: true}
                      tags: {type: array, maxItems: 2, items: {type: string}}
                      mode: {type: string, default: fast}
                      since: {type: string, format: date-time}
                      extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """;

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;
    private readonly PythonClient _python;

    public CustomResourceSchemaTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
        _python = new PythonClient(fixture, output);
    }

    private async Task<string> InstallAsync(string prefix)
    {
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("crd.yaml", Crd));
        await _kubectl.RunAsync("wait", "--for=condition=Established", "crd/widgets.schema.example.com");
        return await _fixture.NewNamespaceAsync(prefix);
    }

    [Fact]
    public async Task Values_that_break_the_schema_are_refused_by_kubectl_apply_with_every_field_path()
    {
        var ns = await InstallAsync("crd-invalid");
        var manifest = _fixture.WriteFile("widget.yaml", $$"""
            apiVersion: schema.example.com/v1
            kind: Widget
            metadata: {name: broken, namespace: {{ns}}}
            spec: {replicas: "three", name: "Bad", port: true, tags: [a, b, c], since: yesterday}
            """);

        var result = await _kubectl.TryRunAsync("apply", "-f", manifest);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The Widget \"broken\" is invalid: \n* ", result.Stderr); // kubectl apply lists several causes one a line
        foreach (var error in new[]
        {
            "spec.size: Required value",
            "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
            "spec.name: Invalid value: \"Bad\": spec.name in body should match '^[a-z]+$'",
            "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
            "spec.tags: Too many: 3: must have at most 2 items",
            "spec.since: Invalid value: \"yesterday\": spec.since in body must be of type date-time: \"yesterday\"",
        })
        {
            Assert.Contains(error, result.Stderr);
        }

        var range = await _kubectl.TryRunAsync("apply", "-f", _fixture.WriteFile("widget.yaml", $$"""
            apiVersion: schema.example.com/v1
            kind: Widget
            metadata: {name: broken, namespace: {{ns}}}
            spec: {size: medium, replicas: 11, name: toolongname}
            """));
        Assert.Contains("spec.size: Unsupported value: \"medium\": supported values: \"small\", \"large\"", range.Stderr);
        Assert.Contains("spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10", range.Stderr);
        Assert.Contains("spec.name: Too long: may not be longer than 8", range.Stderr);
        Assert.Empty(await _kubectl.RunAsync("get", "widgets", "-n", ns, "-o", "name"));
    }

    [Fact]
    public async Task Defaults_are_filled_in_and_unknown_fields_pruned_unless_preserved()
    {
        var ns = await InstallAsync("crd-defaults");
        var lines = await _python.RunAsync(ns, """
            api = client.CustomObjectsApi()
            body = {"apiVersion": "schema.example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                    "spec": {"size": "small", "port": "http", "since": "2026-12-06T05:36:48.396384Z", "unknown": 1, "extra": {"anything": {"goes": True}}}, "top": "dropped"}
            created = api.create_namespaced_custom_object("schema.example.com", "v1", ns, "widgets", body)
            out(created)
            stored = api.get_namespaced_custom_object("schema.example.com", "v1", ns, "widgets", "w")
            out(stored)
            """);

        foreach (var widget in lines)
        {
            var spec = widget!["spec"]!;
            Assert.Equal((1, "fast", "http"), ((int)spec["replicas"]!, (string?)spec["mode"], (string?)spec["port"]));
            Assert.Null(spec["unknown"]);
            Assert.Null(widget["top"]);
            Assert.Equal("""{"anything":{"goes":true}}""", spec["extra"]!.ToJsonString());
        }

        // A default applies to an update that drops the field, too.
        await _kubectl.RunAsync("patch", "widget", "w", "-n", ns, "--type=merge", "-p", """{"spec":{"mode":null,"replicas":4}}""");
        var patched = JsonNode.Parse(await _kubectl.RunAsync("get", "widget", "w", "-n", ns, "-o", "json"))!;
        Assert.Equal((4, "fast"), ((int)patched["spec"]!["replicas"]!, (string?)patched["spec"]!["mode"]));
    }

    [Fact]
    public async Task A_strategic_merge_patch_of_a_custom_resource_is_refused_with_415()
    {
        var ns = await InstallAsync("crd-smp");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("widget.yaml", $$"""
            apiVersion: schema.example.com/v1
            kind: Widget
            metadata: {name: w, namespace: {{ns}}}
            spec: {size: small}
            """));

        var result = await _kubectl.TryRunAsync("patch", "widget", "w", "-n", ns, "-p", """{"spec":{"replicas":2}}""");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", result.Stderr);
        await _kubectl.RunAsync("patch", "widget", "w", "-n", ns, "--type=merge", "-p", """{"spec":{"replicas":2}}""");
    }
}
