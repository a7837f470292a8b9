using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Binds the <c>RoostHa:Sharding</c> section when the container has configuration (a host always does).</summary>
internal sealed class ShardingConfigurationBinder(IServiceProvider services) : IConfigureOptions<ShardingOptions>
{
    public void Configure(ShardingOptions options)
    {
        if (services.GetService<IConfiguration>() is { } configuration)
        {
            DurationBinding.Bind(configuration.GetSection(ShardingOptions.SectionName), options);
        }
    }
}
