using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.KubernetesApi;

/// <summary>The shared error classification, fed with the exceptions KubernetesClient really throws.</summary>
public sealed class KubernetesApiErrorsTests
{
    [Fact]
    public async Task Answers_from_the_server_are_classified_by_status_and_described_with_its_message()
    {
        await using var cluster = await SimulatedCluster.StartAsync();
        var client = cluster.CreateClient("c");
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "errors" } });
        var map = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } };
        await client.CoreV1.CreateNamespacedConfigMapAsync(map, "errors");

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(map, "errors"));
        Assert.Equal(ApiErrorKind.Conflict, KubernetesApiErrors.Classify(conflict));
        Assert.Equal(409, KubernetesApiErrors.StatusCode(conflict));
        Assert.StartsWith("409 Conflict: ", KubernetesApiErrors.Describe(conflict), StringComparison.Ordinal);
        Assert.Contains("cm", KubernetesApiErrors.Describe(conflict), StringComparison.Ordinal);

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("nope", "errors"));
        Assert.Equal(ApiErrorKind.NotFound, KubernetesApiErrors.Classify(missing));

        var missingType = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.ListNamespacedCustomObjectAsync("roost.birb.party", "v1alpha1", "errors", "managedroosts"));
        Assert.Equal(ApiErrorKind.MissingResourceType, KubernetesApiErrors.Classify(missingType));

        cluster.Faults.FailNext("c", HttpStatusCode.ServiceUnavailable);
        var unavailable = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("cm", "errors"));
        Assert.Equal(ApiErrorKind.Transient, KubernetesApiErrors.Classify(unavailable));
        Assert.True(KubernetesApiErrors.IsTransient(unavailable));

        cluster.Faults.FailNext("c", HttpStatusCode.Forbidden);
        var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("cm", "errors"));
        Assert.Equal(ApiErrorKind.Unauthorized, KubernetesApiErrors.Classify(forbidden));
        Assert.False(KubernetesApiErrors.IsTransient(forbidden));
    }

    [Fact]
    public async Task A_partitioned_client_fails_transiently()
    {
        await using var cluster = await SimulatedCluster.StartAsync();
        var client = cluster.CreateClient("c");
        cluster.Faults.Partition("c");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.CoreV1.ListNamespaceAsync());
        Assert.Equal(ApiErrorKind.Transient, KubernetesApiErrors.Classify(error));
        Assert.True(KubernetesApiErrors.IsApiOrNetwork(error));
    }

    [Theory]
    [InlineData(400, nameof(ApiErrorKind.Invalid))]
    [InlineData(422, nameof(ApiErrorKind.Invalid))]
    [InlineData(401, nameof(ApiErrorKind.Unauthorized))]
    [InlineData(410, nameof(ApiErrorKind.Expired))]
    [InlineData(429, nameof(ApiErrorKind.Transient))]
    [InlineData(504, nameof(ApiErrorKind.Transient))]
    public void Watch_errors_delivered_as_a_Status_are_classified_by_its_code(int code, string expected)
    {
        var kind = Enum.Parse<ApiErrorKind>(expected);
        var error = new KubernetesException(new V1Status { Code = code, Reason = "Because", Message = "said the server" });

        Assert.Equal(kind, KubernetesApiErrors.Classify(error));
        Assert.Equal($"{code} Because: said the server", KubernetesApiErrors.Describe(error));
    }

    [Fact]
    public void Anything_else_is_unexpected_and_keeps_its_message()
    {
        var error = new InvalidOperationException("a defect");

        Assert.Equal(ApiErrorKind.Unexpected, KubernetesApiErrors.Classify(error));
        Assert.False(KubernetesApiErrors.IsApiOrNetwork(error));
        Assert.Equal("a defect", KubernetesApiErrors.Describe(error));
        Assert.Equal(ApiErrorKind.Transient, KubernetesApiErrors.Classify(new TaskCanceledException()));
        Assert.Equal("timed out", KubernetesApiErrors.Describe(new TaskCanceledException()));
    }
}
