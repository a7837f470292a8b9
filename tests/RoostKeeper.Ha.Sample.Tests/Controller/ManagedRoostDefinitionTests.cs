using RoostKeeper.Ha.Sample.Controller;

namespace RoostKeeper.Ha.Sample.Tests.Controller;

public sealed class ManagedRoostDefinitionTests
{
    [Fact]
    public void The_embedded_CRD_is_namespaced_v1alpha1_with_a_schema_a_status_subresource_and_printer_columns()
    {
        var crd = ManagedRoostDefinition.Load();

        Assert.Equal((ManagedRoost.DefinitionName, ManagedRoost.Group, "Namespaced", ManagedRoost.KindName), (crd.Metadata.Name, crd.Spec.Group, crd.Spec.Scope, crd.Spec.Names.Kind));
        var version = Assert.Single(crd.Spec.Versions);
        Assert.Equal((ManagedRoost.Version, true, true), (version.Name, version.Served, version.Storage));
        Assert.NotNull(version.Subresources.Status);
        Assert.Equal(["Species", "Size", "Phase", "Leader", "Term", "Age"], version.AdditionalPrinterColumns.Select(c => c.Name));
        var spec = version.Schema.OpenAPIV3Schema.Properties["spec"];
        Assert.Equal(["species"], spec.Required);
        Assert.Equal((1.0, 100.0), (spec.Properties["size"].Minimum, spec.Properties["size"].Maximum));
    }

    [Fact]
    public void The_file_next_to_the_project_is_the_one_embedded()
    {
        var file = Path.Combine(RepositoryRoot.Path, "samples", "RoostKeeper.Ha.Sample", "crd", "managedroosts.yaml");
        using var embedded = typeof(ManagedRoostDefinition).Assembly.GetManifestResourceStream("managedroosts.yaml")!;

        Assert.Equal(File.ReadAllText(file), new StreamReader(embedded).ReadToEnd());
    }
}
