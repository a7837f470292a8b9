using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Api;

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
        var warning = Assert.Single(a.Logs.Entries, e => e.EventId == 6000);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("POST /failover", warning.Message, StringComparison.Ordinal);
        Assert.Contains("MutationPolicy", warning.Message, StringComparison.Ordinal);
        Assert.True(a.Manager.IsLeader);
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
    [InlineData("ha", 16384, 5, "RoostHaApiOptions.RoutePrefix (\"ha\") must be empty or a literal path")]
    [InlineData("", 0, 5, "RoostHaApiOptions.MaxRequestBodySize (0) must be greater than zero.")]
    [InlineData("", 16384, 0, "RoostHaApiOptions.StatusPageRefresh (0ms) must be at least 1s.")]
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
    public async Task A_failing_endpoint_answers_a_500_problem_with_a_trace_id_and_no_stack_trace()
    {
        // No AddRoostHa: the handlers cannot resolve HaManager, which is a server fault, not the caller's.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new LogSink();
        builder.Logging.ClearProviders().AddProvider(logs);
        await using var app = builder.Build();
        app.MapRoostHaApi();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var response = await http.GetAsync("/status");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("HaManager", text, StringComparison.Ordinal);
        Assert.Contains("traceId", text, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId == 6005 && e.Level == LogLevel.Error);
        await app.StopAsync();
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
