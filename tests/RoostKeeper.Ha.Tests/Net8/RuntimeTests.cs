using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Tests.Net8;

/// <summary>
/// The net8.0 build of this project runs against the packages' net8.0 assets: it says which runtime it is on
/// (8.0 when installed, else the newest, by RollForward=Major) and checks it really loaded the net8.0 builds
/// (a run that silently used the net10.0 assets would fail). On a newer runtime, an ASP.NET Core shared
/// framework there supplies its own Microsoft.Extensions assemblies, as it would for any net8.0 application.
/// </summary>
public sealed class RuntimeTests
{
    [Fact]
    public void The_net8_tests_run_the_net8_builds_of_the_packages()
    {
        Console.WriteLine($"net8.0 tests on {RuntimeInformation.FrameworkDescription}, Microsoft.Extensions.Options {typeof(IOptions<>).Assembly.GetName().Version}");

        Assert.Equal(".NETCoreApp,Version=v8.0", AppContext.TargetFrameworkName);
        Assert.Equal(".NETCoreApp,Version=v8.0", typeof(HaManager).Assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName);
        Assert.Equal(".NETCoreApp,Version=v8.0", typeof(RoostKeeper.Ha.Testing.SimulatedCluster).Assembly.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()?.FrameworkName);
    }
}
