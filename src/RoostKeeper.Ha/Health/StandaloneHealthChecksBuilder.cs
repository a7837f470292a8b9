using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// The <see cref="IHealthChecksBuilder"/> a <see cref="HealthManager"/> created without DI hands to its
/// configure callback, so the same extension methods (<c>AddReadyPods</c>, <c>AddCheck</c>, …) serve both
/// ways. Registrations are collected; their factories get a small provider with the manager's client,
/// options, clock and elector, plus any singleton instances the callback added to <see cref="Services"/>.
/// </summary>
internal sealed class StandaloneHealthChecksBuilder : IHealthChecksBuilder
{
    private readonly Dictionary<Type, object> _known = [];

    public StandaloneHealthChecksBuilder(IKubernetes kubernetes, HealthOptions options, ILeaderElector? elector, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        _known[typeof(IKubernetes)] = kubernetes;
        _known[typeof(IOptions<HealthOptions>)] = Microsoft.Extensions.Options.Options.Create(options);
        _known[typeof(TimeProvider)] = time;
        if (elector is not null)
        {
            _known[typeof(ILeaderElector)] = elector;
        }

        if (loggerFactory is not null)
        {
            _known[typeof(ILoggerFactory)] = loggerFactory;
        }
    }

    public IServiceCollection Services { get; } = new ServiceCollection();

    public List<HealthCheckRegistration> Registrations { get; } = [];

    public IHealthChecksBuilder Add(HealthCheckRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        Registrations.Add(registration);
        return this;
    }

    public IServiceProvider Build()
    {
        var known = new Dictionary<Type, object>(_known);
        foreach (var descriptor in Services.Where(d => !d.IsKeyedService && d.ImplementationInstance is not null))
        {
            known[descriptor.ServiceType] = descriptor.ImplementationInstance!;
        }

        return new Provider(known);
    }

    private sealed class Provider(Dictionary<Type, object> known) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IServiceProvider) ? this : known.GetValueOrDefault(serviceType);
    }
}
