using Microsoft.Extensions.Options;
using RoostKeeper.Ha.AspNetCore.Forwarding;
using RoostKeeper.Ha.AspNetCore.Http;

namespace RoostKeeper.Ha.AspNetCore;

/// <summary>
/// The rules of <see cref="HaApiOptions"/>: the ranges its DataAnnotations declare (checked by the options
/// validation source generator, <see cref="HaApiOptionsRangeValidator"/>), and by hand the rules no attribute
/// states: the route prefix is a literal path, a mutation policy is a name, and the leader's address is a
/// template forwarding can use. <c>MapRoostHaApi</c> runs it before mapping anything.
/// </summary>
internal sealed class HaApiOptionsValidator : IValidateOptions<HaApiOptions>
{
    private readonly HaApiOptionsRangeValidator _ranges = new();

    /// <summary>Throws when <paramref name="options"/> break a rule, naming every option that does.</summary>
    /// <exception cref="OptionsValidationException">They do.</exception>
    public static void ThrowIfInvalid(HaApiOptions options)
    {
        var result = new HaApiOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(HaApiOptions), typeof(HaApiOptions), result.Failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, HaApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        try
        {
            RoutePrefix.Validate(options.RoutePrefix, "HaApiOptions.RoutePrefix");
        }
        catch (ArgumentException e)
        {
            builder.AddError(e.Message.Split(" (Parameter", 2)[0]);
        }

        if (options.MutationPolicy is { } policy && string.IsNullOrWhiteSpace(policy))
        {
            builder.AddError("HaApiOptions.MutationPolicy must be null or the name of an authorization policy, not empty.");
        }

        builder.AddResult(_ranges.Validate(name, options));
        if (LeaderForwarder.Check(options.LeaderUrlTemplate, options.ForwardToLeader) is { } forwarding)
        {
            builder.AddError(forwarding);
        }

        return builder.Build();
    }
}
