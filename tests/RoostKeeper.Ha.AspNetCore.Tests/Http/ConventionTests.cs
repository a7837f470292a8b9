using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Http;

/// <summary>
/// Conventions added to the builder MapRoostHaApi returns apply to every endpoint, but none of them opens the
/// mutating ones: <c>.AllowAnonymous()</c> (the natural way to keep the read-only API open under a
/// FallbackPolicy) or metadata games leave restore, validate, failover, backup and delete behind the policy.
/// </summary>
public sealed class ConventionTests
{
    public static TheoryData<string> Conventions => ["AllowAnonymous", "WithMetadata", "Finally", "RemoveAuthorizeData"];

    [Theory]
    [MemberData(nameof(Conventions))]
    public async Task No_convention_on_the_returned_builder_opens_the_mutations(string convention)
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        await using var replica = await cluster.ReplicaAsync(
            "replica-a",
            healthChecks: false,
            ha: bed.AddBackups,
            services: s => s.Configure<AuthorizationOptions>(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()),
            conventions: builder => Apply(builder, convention));
        await Cluster.Until(() => replica.Manager.IsLeader, "replica-a to lead");
        var id = await BackupBed.BackupAsync(replica);
        var before = await OperationCountAsync(replica);

        // The read-only API is open (for "AllowAnonymous", despite the FallbackPolicy).
        using var status = await replica.Http.GetAsync("/status");
        if (convention == "AllowAnonymous")
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        }

        foreach (var (method, path) in new[] { ("POST", $"/restore/{id}"), ("POST", $"/backups/{id}/validate"), ("POST", "/failover"), ("POST", "/backup"), ("POST", "/backups"), ("DELETE", $"/backups/{id}") })
        {
            using var anonymous = await replica.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            using var viewer = await BackupBed.SendAsync(replica, new HttpMethod(method), path, token: ReplicaServer.Token("bob", "viewer"));

            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{convention}: anonymous {method} {path}: {(int)anonymous.StatusCode}");
            Assert.True(viewer.StatusCode == HttpStatusCode.Forbidden, $"{convention}: viewer {method} {path}: {(int)viewer.StatusCode}");
        }

        Assert.Equal(before, await OperationCountAsync(replica));
        Assert.True(replica.Manager.IsLeader);
        Assert.Equal(HttpStatusCode.OK, (await replica.Http.SendAsync(Authorized(HttpMethod.Get, $"/backups/{id}"))).StatusCode);

        // The operator still gets through.
        Assert.Equal("Succeeded", (await BackupBed.RunAsync(replica, $"/restore/{id}", new { dryRun = true })).GetProperty("state").GetString());
        if (convention is "AllowAnonymous" or "WithMetadata")
        {
            Assert.Contains(replica.Logs.Entries, e => e.EventId == 6016);
        }
    }

    private static void Apply(IEndpointConventionBuilder builder, string convention)
    {
        switch (convention)
        {
            case "AllowAnonymous":
                builder.AllowAnonymous();
                break;
            case "WithMetadata":
                builder.WithMetadata(new AllowAnonymousAttribute());
                break;
            case "Finally":
                // Runs after every other convention, including the API's own.
                builder.Finally(b => b.Metadata.Add(new AllowAnonymousAttribute()));
                break;
            case "RemoveAuthorizeData":
                builder.Finally(b =>
                {
                    foreach (var item in b.Metadata.Where(m => m is IAuthorizeData or AuthorizationPolicy).ToList())
                    {
                        b.Metadata.Remove(item);
                    }

                    b.Metadata.Add(new AllowAnonymousAttribute());
                });
                break;
        }
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path) =>
        new(method, path) { Headers = { Authorization = ReplicaServer.Bearer(BackupBed.Operator) } };

    private static async Task<int> OperationCountAsync(ReplicaServer replica)
    {
        using var list = JsonDocument.Parse(await (await replica.Http.SendAsync(Authorized(HttpMethod.Get, "/operations"))).Content.ReadAsStringAsync());
        return list.RootElement.GetArrayLength();
    }
}
