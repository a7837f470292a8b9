using System.Reflection;
using System.Runtime.CompilerServices;

namespace RoostKeeper.Ha.AspNetCore.Tests.Packaging;

/// <summary>
/// The ASP.NET Core package is built on RoostKeeper.Ha's public API only (the API error classification it
/// shares is public: <c>KubernetesApiErrors</c>), so a user's own endpoints can do everything it does.
/// </summary>
public sealed class InternalsTests
{
    [Fact]
    public void RoostKeeper_Ha_grants_its_internals_to_no_shipped_package()
    {
        var granted = typeof(HaManager).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();

        Assert.DoesNotContain("RoostKeeper.Ha.AspNetCore", granted);
        Assert.All(granted, name => Assert.True(name.EndsWith(".Tests", StringComparison.Ordinal) || name.EndsWith(".Benchmarks", StringComparison.Ordinal), name));
    }
}
