namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures RoostKeeper.Ha after <see cref="RoostHaServiceCollectionExtensions.AddRoostHa"/>.</summary>
public interface IRoostHaBuilder
{
    /// <summary>The service collection RoostKeeper.Ha is registered in.</summary>
    IServiceCollection Services { get; }
}
