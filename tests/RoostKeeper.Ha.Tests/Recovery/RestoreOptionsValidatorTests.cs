using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>RestoreOptions are checked when a restore starts: each invalid option is named with its value and rule.</summary>
public sealed class RestoreOptionsValidatorTests
{
    public static TheoryData<string, Action<RestoreOptions>, string> Broken => new()
    {
        { "no parallelism", o => o.MaxParallelism = 0, "RestoreOptions.MaxParallelism (0) must be from 1 to 64." },
        { "negative parallelism", o => o.MaxParallelism = -1, "RestoreOptions.MaxParallelism (-1) must be from 1 to 64." },
        { "too much parallelism", o => o.MaxParallelism = 65, "RestoreOptions.MaxParallelism (65) must be from 1 to 64." },
        { "no definition timeout", o => o.DefinitionTimeout = TimeSpan.Zero, "RestoreOptions.DefinitionTimeout (0ms) must be greater than zero" },
        { "negative definition timeout", o => o.DefinitionTimeout = TimeSpan.FromSeconds(-5), "RestoreOptions.DefinitionTimeout (-5000ms) must be greater than zero" },
        { "definition timeout in days", o => o.DefinitionTimeout = TimeSpan.FromDays(60), "RestoreOptions.DefinitionTimeout (5184000s) must be at most 3600s." },
        { "definition timeout at the limit", o => o.DefinitionTimeout = TimeSpan.MaxValue, "RestoreOptions.DefinitionTimeout (" },
        { "invalid source", o => o.NamespaceMapping = new Dictionary<string, string> { ["Prod"] = "staging" }, "RestoreOptions.NamespaceMapping: the source \"Prod\" is not a valid namespace name" },
        { "invalid target", o => o.NamespaceMapping = new Dictionary<string, string> { ["prod"] = "staging.eu" }, "RestoreOptions.NamespaceMapping: the target \"staging.eu\" of \"prod\" is not a valid namespace name" },
        { "target with a newline", o => o.NamespaceMapping = new Dictionary<string, string> { ["prod"] = "staging\n" }, "RestoreOptions.NamespaceMapping: the target \"staging\n\" of \"prod\"" },
        { "target too long", o => o.NamespaceMapping = new Dictionary<string, string> { ["prod"] = new string('a', 64) }, "the target \"" + new string('a', 64) + "\" of \"prod\" is not a valid namespace name" },
        { "empty target", o => o.NamespaceMapping = new Dictionary<string, string> { ["prod"] = "" }, "the target \"\" of \"prod\" is not a valid namespace name" },
        { "null mapping", o => o.NamespaceMapping = null!, "RestoreOptions.NamespaceMapping must not be null" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void An_invalid_option_is_refused_naming_it(string _, Action<RestoreOptions> breakIt, string expected)
    {
        var options = new RestoreOptions();
        breakIt(options);

        var e = Assert.Throws<OptionsValidationException>(() => RestoreOptionsValidator.ThrowIfInvalid(options));

        Assert.Equal(typeof(RestoreOptions), e.OptionsType);
        Assert.Contains(e.Failures, f => f.StartsWith("RestoreOptions.", StringComparison.Ordinal) && f.Contains(expected, StringComparison.Ordinal));
        Assert.Single(e.Failures);
    }

    [Fact]
    public void Defaults_and_the_bounds_are_valid()
    {
        Assert.Empty(RestoreOptionsValidator.Failures(new RestoreOptions()));
        Assert.Empty(RestoreOptionsValidator.Failures(new RestoreOptions
        {
            MaxParallelism = 1,
            DefinitionTimeout = TimeSpan.FromMilliseconds(1),
            NamespaceMapping = new Dictionary<string, string> { ["prod"] = "prod-restored", ["a"] = new string('b', 63) },
        }));
        Assert.Empty(RestoreOptionsValidator.Failures(new RestoreOptions { MaxParallelism = 64, DefinitionTimeout = TimeSpan.FromHours(1) }));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new RestoreOptions
        {
            MaxParallelism = 0,
            DefinitionTimeout = TimeSpan.Zero,
            NamespaceMapping = new Dictionary<string, string> { ["B_ad"] = "Worse", ["fine"] = "fine-too" },
        };

        var result = new RestoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Collection(
            result.Failures!,
            f => Assert.StartsWith("RestoreOptions.MaxParallelism (0)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("RestoreOptions.DefinitionTimeout (0ms)", f, StringComparison.Ordinal),
            f => Assert.StartsWith("RestoreOptions.NamespaceMapping: the source \"B_ad\"", f, StringComparison.Ordinal),
            f => Assert.StartsWith("RestoreOptions.NamespaceMapping: the target \"Worse\" of \"B_ad\"", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restore_with_invalid_options_is_refused_before_anything_is_read_or_written()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var options = new RestoreOptions
        {
            DefinitionTimeout = TimeSpan.Zero,
            NamespaceMapping = new Dictionary<string, string> { ["roost-0"] = "Roost-Restored" },
        };

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => bed.Manager("restorer", RecoveryTestBed.Options(secrets: false, encrypt: false)).RestoreFromBackupAsync("any", options));

        Assert.Equal(2, e.Failures.Count());
        Assert.Contains("RestoreOptions.DefinitionTimeout", e.Message, StringComparison.Ordinal);
        Assert.Contains("RestoreOptions.NamespaceMapping", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Cluster.Requests.Count("restorer"));
    }
}
