using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace RoostKeeper.Ha.Backups.S3.Tests;

/// <summary>
/// A real S3 server for the tests: the npm package s3rver (installed into tools/s3rver on first use), run with
/// Node on 127.0.0.1 and a free port, with bucket "backups" and a fresh data directory. Known gaps of
/// s3rver 3.7.1 handled here: Node needs --openssl-legacy-provider for ListObjectsV2 paging, and uploads
/// must not use aws-chunked encoding (S3BackupStoreOptions.UseChunkEncoding = false).
/// </summary>
public sealed class S3rverServer : IAsyncLifetime
{
    public const string Bucket = "backups";

    private readonly string _data = Path.Combine(Path.GetTempPath(), $"roostha-s3rver-{Guid.NewGuid():N}");
    private Process? _process;

    public int Port { get; private set; }

    public Uri ServiceUrl => new($"http://127.0.0.1:{Port}");

    public AmazonS3Client CreateClient() => CreateClient(ServiceUrl);

    public static AmazonS3Client CreateClient(Uri serviceUrl) => new(
        new BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = serviceUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 1,
            Timeout = TimeSpan.FromSeconds(30),
        });

    public S3BackupStore Store(string prefix = "roostkeeper-backups/", long partSize = 5L * 1024 * 1024, int listPageSize = 1000) =>
        new(CreateClient(), new S3BackupStoreOptions { BucketName = Bucket, Prefix = prefix, PartSizeBytes = partSize, UseChunkEncoding = false, ListPageSize = listPageSize });

    public async Task InitializeAsync()
    {
        var script = Path.Combine(RepositoryRoot.Path, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            await InstallAsync(script);
        }

        Port = FreePort();
        Directory.CreateDirectory(_data);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--openssl-legacy-provider", script, "-d", _data, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", Bucket, "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"s3rver exited with {_process.ExitCode} before it listened.");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, deadline.Token);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }

        return Task.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>
    /// A fresh clone has no node_modules: `dotnet test` installs s3rver from tools/s3rver's lock file itself
    /// (npm's registry is reachable wherever NuGet's is), so the README's test command needs no extra step.
    /// </summary>
    private static async Task InstallAsync(string script)
    {
        await Installing.WaitAsync();
        try
        {
            if (File.Exists(script))
            {
                return;
            }

            var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "ci", "--prefix", Path.Combine(RepositoryRoot.Path, "tools", "s3rver"), "--no-audit", "--no-fund" })
            {
                npm.ArgumentList.Add(argument);
            }

            using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm did not start: install Node.js and npm to run the S3 store's tests.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || !File.Exists(script))
            {
                throw new InvalidOperationException($"`npm ci --prefix tools/s3rver` failed ({process.ExitCode}), so s3rver is not at {script}:\n{await output}\n{await error}");
            }
        }
        finally
        {
            Installing.Release();
        }
    }
}
