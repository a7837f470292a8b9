using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests;

/// <summary>Every rule of <see cref="HaApiOptions"/>: each invalid value is refused with a message naming the option, all at once, and at mapping time.</summary>
public sealed class HaApiOptionsValidatorTests
{
    public static TheoryData<string, Action<HaApiOptions>, string> Invalid => new()
    {
        { "prefix without '/'", o => o.RoutePrefix = "ha", "HaApiOptions.RoutePrefix (\"ha\") must be empty or a literal path" },
        { "prefix with a query", o => o.RoutePrefix = "/ha?x=1", "HaApiOptions.RoutePrefix (\"/ha?x=1\")" },
        { "prefix with a route parameter", o => o.RoutePrefix = "/{tenant}", "HaApiOptions.RoutePrefix (\"/{tenant}\")" },
        { "empty policy", o => o.MutationPolicy = "", "HaApiOptions.MutationPolicy must be null or the name of an authorization policy" },
        { "blank policy", o => o.MutationPolicy = "  ", "HaApiOptions.MutationPolicy must be null or the name of an authorization policy" },
        { "zero body", o => o.MaxRequestBodySize = 0, "The field HaApiOptions.MaxRequestBodySize must be between 1 and 1073741824." },
        { "negative body", o => o.MaxRequestBodySize = -1, "The field HaApiOptions.MaxRequestBodySize must be between 1 and 1073741824." },
        { "body over 1 GiB", o => o.MaxRequestBodySize = (1L << 30) + 1, "The field HaApiOptions.MaxRequestBodySize must be between 1 and 1073741824." },
        { "refresh zero", o => o.StatusPageRefresh = TimeSpan.Zero, "The field HaApiOptions.StatusPageRefresh must be between 00:00:01 and 01:00:00." },
        { "refresh under 1 s", o => o.StatusPageRefresh = TimeSpan.FromMilliseconds(999), "The field HaApiOptions.StatusPageRefresh must be between 00:00:01 and 01:00:00." },
        { "refresh over 1 h", o => o.StatusPageRefresh = TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1), "The field HaApiOptions.StatusPageRefresh must be between 00:00:01 and 01:00:00." },
        { "template without placeholder", o => o.LeaderUrlTemplate = "http://replica.svc:8080", "HaApiOptions.LeaderUrlTemplate (\"http://replica.svc:8080\")" },
        { "template not absolute", o => o.LeaderUrlTemplate = "{leader}:8080", "HaApiOptions.LeaderUrlTemplate (\"{leader}:8080\")" },
        { "template with a path", o => o.LeaderUrlTemplate = "http://{leader}.svc:8080/ha", "HaApiOptions.LeaderUrlTemplate (\"http://{leader}.svc:8080/ha\")" },
        { "forwarding without template", o => o.ForwardToLeader = true, "HaApiOptions.ForwardToLeader requires HaApiOptions.LeaderUrlTemplate" },
        { "no operations retained", o => o.RetainedOperations = 0, "The field HaApiOptions.RetainedOperations must be between 1 and 10000." },
        { "too many operations retained", o => o.RetainedOperations = 10_001, "The field HaApiOptions.RetainedOperations must be between 1 and 10000." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_invalid_option_is_refused_naming_it_and_its_rule(string because, Action<HaApiOptions> set, string message)
    {
        var options = new HaApiOptions();
        set(options);

        var result = new HaApiOptionsValidator().Validate(Options.DefaultName, options);

        Assert.True(result.Failed, because);
        Assert.True(result.Failures!.Any(f => f.Contains(message, StringComparison.Ordinal)), string.Join("\n", result.Failures!));
    }

    [Fact]
    public void The_defaults_and_the_bounds_of_every_range_are_valid()
    {
        Assert.True(new HaApiOptionsValidator().Validate(Options.DefaultName, new HaApiOptions()).Succeeded);
        var bounds = new[]
        {
            new HaApiOptions { RoutePrefix = "/ha/", MutationPolicy = "ops", MaxRequestBodySize = 1, StatusPageRefresh = TimeSpan.FromSeconds(1), RetainedOperations = 1 },
            new HaApiOptions { MaxRequestBodySize = 1L << 30, StatusPageRefresh = TimeSpan.FromHours(1), RetainedOperations = 10_000, LeaderUrlTemplate = "https://{leader}.api.ns.svc:8443", ForwardToLeader = true },
        };

        Assert.All(bounds, o => Assert.True(new HaApiOptionsValidator().Validate(Options.DefaultName, o).Succeeded));
    }

    [Fact]
    public void Every_invalid_option_is_reported_at_once()
    {
        var options = new HaApiOptions { RoutePrefix = "ha", MutationPolicy = "", MaxRequestBodySize = 0, StatusPageRefresh = TimeSpan.Zero, ForwardToLeader = true, RetainedOperations = 0 };

        var failures = new HaApiOptionsValidator().Validate(Options.DefaultName, options).Failures!.ToList();

        foreach (var option in new[] { "RoutePrefix", "MutationPolicy", "MaxRequestBodySize", "StatusPageRefresh", "ForwardToLeader", "RetainedOperations" })
        {
            Assert.Contains(failures, f => f.Contains("HaApiOptions." + option, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Each_invalid_option_fails_MapRoostHaApi_before_anything_is_mapped(string because, Action<HaApiOptions> set, string message)
    {
        await using var cluster = await Cluster.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(cluster.Simulation.CreateClient("replica-a"));
        builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = "roost-keeper-controller";
            o.LeaseNamespace = Cluster.Namespace;
            o.Identity = "replica-a";
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => app.MapRoostHaApi(set));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints));
        _ = because;
    }
}
