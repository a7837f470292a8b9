using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// Refuses a type registered both with <c>AddHostedService&lt;T&gt;()</c> and <c>AddLeaderHostedService&lt;T&gt;()</c>:
/// the host would run it on every replica, which is exactly what leader election is there to prevent (and
/// what a <c>dotnet new worker</c> project does first, since its template already registers the worker).
/// Checked when the call is made and again when the host builds its hosted services, before any starts, so
/// the order of the two calls does not matter.
/// </summary>
internal sealed class LeaderServiceRegistrations(IServiceCollection services)
{
    /// <summary>Throws when <paramref name="leaderType"/> is also registered as an ordinary hosted service in <paramref name="services"/>.</summary>
    public static void ThrowIfAlsoHosted(IServiceCollection services, Type leaderType)
    {
        var hosted = services.Any(d => d.ServiceType == typeof(IHostedService) && !d.IsKeyedService
            && (d.ImplementationType == leaderType || d.ImplementationInstance?.GetType() == leaderType));
        if (hosted)
        {
            var name = leaderType.Name;
            throw new InvalidOperationException(
                $"{leaderType.FullName} is registered twice: with AddHostedService<{name}>(), which runs it on every replica, " +
                $"and with AddLeaderHostedService<{name}>(), which runs it only while this replica leads. " +
                $"Remove the services.AddHostedService<{name}>() call (a 'dotnet new worker' Program.cs has one): AddLeaderHostedService starts and stops {name} with each leadership term.");
        }
    }

    /// <summary>Checks every leader hosted service registered in the container.</summary>
    public void Validate()
    {
        foreach (var leaderType in services.Where(d => d.ServiceType == typeof(LeaderHostedServiceType) && d.ImplementationInstance is LeaderHostedServiceType)
                     .Select(d => ((LeaderHostedServiceType)d.ImplementationInstance!).Type)
                     .Distinct())
        {
            ThrowIfAlsoHosted(services, leaderType);
        }
    }
}
