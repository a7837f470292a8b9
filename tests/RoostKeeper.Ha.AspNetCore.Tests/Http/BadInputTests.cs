using System.Net;
using System.Text;
using System.Text.Json;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Http;

/// <summary>Every way a body can be wrong: a ProblemDetails naming the field, never a stack trace, no hand-over.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private Cluster? _cluster;
    private ReplicaServer? _replica;

    private ReplicaServer Replica => _replica!;

    public async Task InitializeAsync()
    {
        _cluster = await Cluster.StartAsync();
        _replica = await _cluster.ReplicaAsync("replica-a", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.MaxRequestBodySize = 256; });
        await Cluster.Until(() => Replica.Manager.IsLeader, "replica-a to lead");
    }

    public async Task DisposeAsync()
    {
        await _replica!.DisposeAsync();
        await _cluster!.DisposeAsync();
    }

    [Theory]
    [InlineData("{\"preferredSuccessor\": 5}", "$.preferredSuccessor")]
    [InlineData("{\"preferredSuccessor\": \"replica-b\"", "$")]
    [InlineData("{\"preferedSuccessor\": \"replica-b\"}", "$.preferedSuccessor")]
    [InlineData("[1, 2]", "$")]
    [InlineData("{\"preferredSuccessor\": \"replica-a\"}", "preferredSuccessor")]
    [InlineData("{\"preferredSuccessor\": \"\"}", "preferredSuccessor")]
    public async Task A_malformed_body_is_a_400_naming_the_field(string json, string field)
    {
        var response = await Send(json, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = await Problem(response);
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.True(Replica.Manager.IsLeader);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        var response = await Send("preferredSuccessor=replica-b", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        using var problem = await Problem(response);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var response = await Send("{\"preferredSuccessor\": \"" + new string('x', 1000) + "\"}", "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var problem = await Problem(response);
        Assert.Contains("MaxRequestBodySize", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_a_413_too()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/failover");
        request.Headers.Authorization = ReplicaServer.Bearer(ReplicaServer.Token("alice", "operator"));
        request.Headers.TransferEncodingChunked = true;
        request.Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"preferredSuccessor\": \"" + new string('x', 1000) + "\"}")));
        request.Content.Headers.ContentType = new("application/json");

        var response = await Replica.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private async Task<HttpResponseMessage> Send(string body, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/failover")
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        request.Headers.Authorization = ReplicaServer.Bearer(ReplicaServer.Token("alice", "operator"));
        return await Replica.Http.SendAsync(request);
    }

    private static async Task<JsonDocument> Problem(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        return JsonDocument.Parse(text);
    }
}
