namespace RoostKeeper.Ha.Backups.S3;

/// <summary>Where and how an <see cref="S3BackupStore"/> keeps backups.</summary>
public sealed class S3BackupStoreOptions
{
    /// <summary>The bucket. Required; it must exist.</summary>
    public string BucketName { get; set; } = "";

    /// <summary>The key prefix every object of the store starts with.</summary>
    /// <value>Default "roostkeeper-backups/".</value>
    public string Prefix { get; set; } = "roostkeeper-backups/";

    /// <summary>The endpoint of an S3-compatible service (MinIO, Ceph, another region's endpoint); null for AWS by <see cref="Region"/>.</summary>
    /// <value>Default null.</value>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The AWS region, e.g. "eu-west-1"; null for the SDK's default (environment, profile).</summary>
    /// <value>Default null.</value>
    public string? Region { get; set; }

    /// <summary>Address buckets by path (https://host/bucket/key) rather than by virtual host; most S3-compatible services need it.</summary>
    /// <value>Default false.</value>
    public bool ForcePathStyle { get; set; }

    /// <summary>Size of each part of a multipart upload; an archive smaller than one part is uploaded with a single PUT. Memory use is one part.</summary>
    /// <value>Default 16 MiB; at least 5 MiB (the S3 minimum) and at most 5 GiB.</value>
    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// Send uploads with aws-chunked content encoding (the SDK's default with SigV4 payload signing). Some
    /// S3-compatible servers store the chunk framing as part of the object; turn it off for them.
    /// </summary>
    /// <value>Default true.</value>
    public bool UseChunkEncoding { get; set; } = true;

    /// <summary>Keys per ListObjectsV2 page.</summary>
    /// <value>Default 1000; 1 to 1000.</value>
    public int ListPageSize { get; set; } = 1000;
}
