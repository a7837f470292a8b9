namespace RoostKeeper.Ha.Tests.Diagnostics;

/// <summary>The test classes that share one run of <see cref="ControllerTour"/> (it takes a while; once is enough).</summary>
[CollectionDefinition(Name)]
public sealed class ControllerTourCollection : ICollectionFixture<ControllerTour>
{
    public const string Name = "controller tour";
}
