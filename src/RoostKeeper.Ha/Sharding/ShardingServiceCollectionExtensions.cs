using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Registers sharded leadership's options (bound from <c>RoostHa:Sharding</c>, defaulted, validated at start-up) and runtime.</summary>
internal static class ShardingServiceCollectionExtensions
{
    public static OptionsBuilder<ShardingOptions> AddShardingOptions(this IServiceCollection services, Action<ShardingOptions>? configure)
    {
        var options = services.AddOptions<ShardingOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ShardingOptions>, ShardingConfigurationBinder>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ShardingOptions>, ShardingOptionsDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShardingOptions>, ShardingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShardingOptions>, DurationValidator<ShardingOptions>>(
            sp => new DurationValidator<ShardingOptions>(sp, ShardingOptions.SectionName)));
        return options;
    }
}
