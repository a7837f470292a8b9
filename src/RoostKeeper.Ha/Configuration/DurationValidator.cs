using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Configuration;

/// <summary>Reports the durations of a configuration section that <see cref="DurationBinding"/> could not read.</summary>
internal sealed class DurationValidator<TOptions>(IServiceProvider services, string sectionName) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (services.GetService<IConfiguration>() is not { } configuration)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = DurationBinding.Failures(configuration.GetSection(sectionName), typeof(TOptions)).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
