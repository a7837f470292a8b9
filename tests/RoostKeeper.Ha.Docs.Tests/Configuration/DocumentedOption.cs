namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>One row of the reference.</summary>
/// <param name="Name">The property.</param>
/// <param name="Type">The C# type as written in source.</param>
/// <param name="Default">The default, formatted as <see cref="OptionValues.Format"/> does.</param>
/// <param name="Rule">The validity rule (see <see cref="OptionRule"/>).</param>
/// <param name="Key">The configuration key, or "—".</param>
/// <param name="Line">The row's line in the page.</param>
internal sealed record DocumentedOption(string Name, string Type, string Default, string Rule, string Key, int Line)
{
    public const string NoKey = "—";
}
