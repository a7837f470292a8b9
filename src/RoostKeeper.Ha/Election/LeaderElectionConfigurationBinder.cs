using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Election;

/// <summary>Binds the <c>RoostHa</c> section when the container has configuration (a host always does).</summary>
internal sealed class LeaderElectionConfigurationBinder(IServiceProvider services) : IConfigureOptions<LeaderElectionOptions>
{
    public void Configure(LeaderElectionOptions options)
    {
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            DurationBinding.Bind(configuration.GetSection(LeaderElectionOptions.SectionName), options);
        }
    }
}
