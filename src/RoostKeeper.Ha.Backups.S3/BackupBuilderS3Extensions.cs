using Amazon;
using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Backups.S3;

/// <summary>Adds <c>.ToS3(...)</c> to <c>AddBackups(b => ...)</c>.</summary>
public static class BackupBuilderS3Extensions
{
    /// <summary>
    /// Keeps backups in S3 (<see cref="S3BackupStore"/>). The <see cref="IAmazonS3"/> registered in DI is used
    /// when there is one; otherwise one is created from <see cref="S3BackupStoreOptions.ServiceUrl"/>,
    /// <see cref="S3BackupStoreOptions.Region"/> and the SDK's default credentials (environment, profile, IRSA).
    /// </summary>
    /// <param name="builder">The backup builder.</param>
    /// <param name="configure">Sets the bucket, prefix and endpoint.</param>
    /// <returns>The builder.</returns>
    public static BackupBuilder ToS3(this BackupBuilder builder, Action<S3BackupStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new S3BackupStoreOptions();
        configure(options);
        return builder.ToStore(sp => new S3BackupStore(sp.GetService<IAmazonS3>() ?? CreateClient(options), options));
    }

    private static AmazonS3Client CreateClient(S3BackupStoreOptions options)
    {
        var config = new AmazonS3Config { ForcePathStyle = options.ForcePathStyle };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl.ToString();
        }

        if (options.Region is not null)
        {
            if (options.ServiceUrl is null)
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
            }
            else
            {
                config.AuthenticationRegion = options.Region;
            }
        }

        return new AmazonS3Client(config);
    }
}
