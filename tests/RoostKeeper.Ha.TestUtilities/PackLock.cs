namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// One `dotnet pack -c Release` at a time per repository. The core and AspNetCore packaging tests run in two test
/// processes at once under `dotnet test`, and both packs build RoostKeeper.Ha in Release: two builds of one project
/// at the same time collide on its obj/ files. A lock file (FileShare.None is an advisory lock on Unix) serializes them.
/// </summary>
public static class PackLock
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    public static async Task<IDisposable> AcquireAsync(string repositoryRoot)
    {
        var folder = Path.Combine(repositoryRoot, "artifacts");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ".pack.lock");
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }
}
