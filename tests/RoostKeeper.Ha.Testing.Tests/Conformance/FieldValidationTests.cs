using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>fieldValidation: Strict refuses a field the type does not declare, Ignore takes it, an unknown directive is a 400.</summary>
public sealed class FieldValidationTests
{
    [Fact]
    public async Task Strict_refuses_an_undeclared_field_and_names_it()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var status = await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => PostAsync(client, ns, "Strict", """{"metadata":{"name":"x"},"colour":"red"}"""));

        Assert.Contains("unknown field \"colour\"", status.Message, StringComparison.Ordinal);
        Assert.True(await IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("x", ns)));
    }

    [Fact]
    public async Task Strict_takes_a_declared_object_and_Ignore_an_undeclared_field()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await PostAsync(client, ns, "Strict", """{"metadata":{"name":"declared","labels":{"a":"b"}},"data":{"k":"v"}}""");
        await PostAsync(client, ns, "Ignore", """{"metadata":{"name":"ignored"},"colour":"red"}""");

        Assert.Equal("v", (await client.CoreV1.ReadNamespacedConfigMapAsync("declared", ns)).Data["k"]);
        Assert.NotNull(await client.CoreV1.ReadNamespacedConfigMapAsync("ignored", ns));
    }

    [Fact]
    public async Task An_unknown_directive_is_refused_with_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => PostAsync(client, ns, "Pedantic", """{"metadata":{"name":"x"}}"""));
    }

    /// <summary>A raw POST, because KubernetesClient's typed models cannot carry an undeclared field.</summary>
    private static async Task PostAsync(IKubernetes client, string ns, string directive, string body)
    {
        var kubernetes = (Kubernetes)client;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(kubernetes.BaseUri, $"api/v1/namespaces/{ns}/configmaps?fieldValidation={directive}"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        using var response = await kubernetes.HttpClient.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new k8s.Autorest.HttpOperationException($"{(int)response.StatusCode}")
            {
                Response = new k8s.Autorest.HttpResponseMessageWrapper(response, await response.Content.ReadAsStringAsync()),
            };
        }
    }
}
