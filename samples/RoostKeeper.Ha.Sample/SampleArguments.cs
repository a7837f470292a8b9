namespace RoostKeeper.Ha.Sample;

internal static class SampleArguments
{
    public static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return null;
        }

        return index + 1 < args.Length ? args[index + 1] : throw new ArgumentException($"{name} needs a value, e.g. {name} ~/.kube/config");
    }
}
