using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;
using RoostKeeper.Ha.AspNetCore.Tests.Status;

namespace RoostKeeper.Ha.AspNetCore.Tests;

/// <summary>How the mutating endpoints are mapped: behind a policy, not at all, or (loudly) open for a demo.</summary>
public sealed class MappingTests
{
    [Fact]
    public async Task Without_a_policy_mutations_are_not_mapped_and_start_up_says_why()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", _ => { });
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");

        var response = await FailoverTests.Post(a, ReplicaServer.Token("alice", "operator"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await a.Http.GetAsync("/status")).StatusCode);
        // The safe default is an expected state, not a warning: the README's Quick start runs this way.
        var warning = Assert.Single(a.Logs.Entries, e => e.EventId == 6000);
        Assert.Equal(LogLevel.Information, warning.Level);
        foreach (var endpoint in new[] { "POST /failover", "POST /backup", "POST /backups", "POST /backups/{id}/validate", "DELETE /backups/{id}", "POST /restore/{id}" })
        {
            Assert.Contains(endpoint, warning.Message, StringComparison.Ordinal);
        }

        Assert.Contains("MutationPolicy", warning.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await FailoverTests.Post(a, ReplicaServer.Token("alice", "operator"), path: "/backup")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await FailoverTests.Post(a, ReplicaServer.Token("alice", "operator"), path: "/restore/x")).StatusCode);
        Assert.True(a.Manager.IsLeader);
    }

    [Theory]
    [InlineData("POST", "/failover")]
    [InlineData("POST", "/backup")]
    [InlineData("POST", "/backups")]
    [InlineData("POST", "/backups/x/validate")]
    [InlineData("DELETE", "/backups/x")]
    [InlineData("POST", "/restore/x")]
    public async Task Without_a_policy_every_mutation_answers_404_as_documented_even_where_a_read_shares_the_route(string method, string path)
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", _ => { }, healthChecks: false);

        using var anonymous = await a.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Authorization = ReplicaServer.Bearer(ReplicaServer.Token("alice", "operator"));
        using var authorized = await a.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, authorized.StatusCode);
    }

    [Fact]
    public async Task The_demo_opt_out_maps_mutations_without_authorization_and_logs_it_loudly()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", o => o.AllowUnauthenticatedMutations = true);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");

        var response = await FailoverTests.Post(a, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(a.Logs.Entries, e => e.EventId == 6001 && e.Level == LogLevel.Critical && e.Message.Contains("UNSAFE", StringComparison.Ordinal));
        Assert.Contains(a.Logs.Entries, e => e.EventId == 6003 && e.Level == LogLevel.Warning);
        await Cluster.Until(() => !a.Manager.IsLeader, "replica-a to hand over");
    }

    [Fact]
    public async Task A_policy_that_is_not_registered_fails_at_mapping_naming_it()
    {
        await using var cluster = await Cluster.StartAsync();
        var app = App(cluster, authorization: true);

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRoostHaApi(o => o.MutationPolicy = "ops"));

        Assert.Contains("\"ops\", which is not registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_without_authorization_services_fails_at_mapping_saying_what_to_add()
    {
        await using var cluster = await Cluster.StartAsync();
        var app = App(cluster, authorization: false);

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRoostHaApi(o => o.MutationPolicy = "ops"));

        Assert.Contains("AddAuthorization", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ha", 16384, 5, "HaApiOptions.RoutePrefix (\"ha\") must be empty or a literal path")]
    [InlineData("", 0, 5, "The field HaApiOptions.MaxRequestBodySize must be between 1 and 1073741824.")]
    [InlineData("", 16384, 0, "The field HaApiOptions.StatusPageRefresh must be between 00:00:01 and 01:00:00.")]
    public async Task Bad_options_fail_at_mapping_with_the_option_and_the_rule(string prefix, long maxBody, int refreshSeconds, string message)
    {
        await using var cluster = await Cluster.StartAsync();
        var app = App(cluster, authorization: true);

        var error = Assert.Throws<OptionsValidationException>(() => app.MapRoostHaApi(o =>
        {
            o.RoutePrefix = prefix;
            o.MaxRequestBodySize = maxBody;
            o.StatusPageRefresh = TimeSpan.FromSeconds(refreshSeconds);
        }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_without_AddRoostHa_fails_naming_it()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRoostHaApi());

        Assert.Contains("AddRoostHa", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_endpoint_answers_a_500_problem_with_a_trace_id_and_no_stack_trace()
    {
        // A store that cannot be read is a server fault, not the caller's.
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false,
            ha: h => h.AddBackups(b => b.IncludeConfigMaps().ToStore(_ => new BrokenStore())));

        var response = await a.Http.GetAsync("/backups");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("disk on fire", text, StringComparison.Ordinal);
        Assert.Contains("traceId", text, StringComparison.Ordinal);
        Assert.Contains(a.Logs.Entries, e => e.EventId == 6005 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task Without_AddBackups_or_AddRollingUpdates_their_endpoints_answer_501_saying_what_to_add()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");

        using var backups = await a.Http.GetAsync("/backups");
        using var updates = await a.Http.GetAsync("/updates");
        using var create = await FailoverTests.Post(a, ReplicaServer.Token("alice", "operator"), path: "/backup");

        Assert.Equal(HttpStatusCode.NotImplemented, backups.StatusCode);
        Assert.Contains("AddBackups", await backups.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotImplemented, updates.StatusCode);
        Assert.Contains("AddRollingUpdates", await updates.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotImplemented, create.StatusCode);
    }

    [Theory]
    [InlineData(null, true, 100, "HaApiOptions.ForwardToLeader requires HaApiOptions.LeaderUrlTemplate")]
    [InlineData("http://replica.svc:8080", false, 100, "must be an absolute http or https URL of scheme, host and port with the placeholder {leader}")]
    [InlineData("{leader}:8080", false, 100, "HaApiOptions.LeaderUrlTemplate (\"{leader}:8080\")")]
    [InlineData("http://{leader}.svc:8080/ha", false, 100, "HaApiOptions.LeaderUrlTemplate")]
    [InlineData(null, false, 0, "The field HaApiOptions.RetainedOperations must be between 1 and 10000.")]
    public async Task Bad_forwarding_and_retention_options_fail_at_mapping_with_the_option_and_the_rule(string? template, bool forward, int retained, string message)
    {
        await using var cluster = await Cluster.StartAsync();
        var app = App(cluster, authorization: true);

        var error = Assert.Throws<OptionsValidationException>(() => app.MapRoostHaApi(o =>
        {
            o.LeaderUrlTemplate = template;
            o.ForwardToLeader = forward;
            o.RetainedOperations = retained;
        }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static WebApplication App(Cluster cluster, bool authorization)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(cluster.Simulation.CreateClient("replica-a"));
        builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = "roost-keeper-controller";
            o.LeaseNamespace = Cluster.Namespace;
            o.Identity = "replica-a";
        });
        if (authorization)
        {
            builder.Services.AddAuthorization();
        }

        return builder.Build();
    }
}

/// <summary>A backup store whose every call fails as a broken disk would.</summary>
internal sealed class BrokenStore : RoostKeeper.Ha.Recovery.Stores.IBackupStore
{
    public Task<RoostKeeper.Ha.Recovery.Stores.IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) => throw Broken();

    public Task<IReadOnlyList<RoostKeeper.Ha.Recovery.BackupInfo>> ListAsync(CancellationToken cancellationToken) => throw Broken();

    public Task<RoostKeeper.Ha.Recovery.BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => throw Broken();

    public Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken) => throw Broken();

    public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => throw Broken();

    private static IOException Broken() => new("disk on fire");
}
