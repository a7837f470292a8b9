namespace Microsoft.Extensions.DependencyInjection;

internal sealed class RoostHaBuilder(IServiceCollection services) : IRoostHaBuilder
{
    public IServiceCollection Services { get; } = services;
}
