using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Backups.S3;

/// <summary>
/// Keeps backups in an S3 bucket (AWS or any S3-compatible endpoint): <c>{prefix}{id}.tar</c> (or
/// <c>.tar.enc</c>) and <c>{prefix}{id}.json</c>, the backup's info, written last. An S3 object becomes
/// visible only when its PUT or CompleteMultipartUpload succeeds, and a backup lists only through its
/// info, so an interrupted backup never lists; its unfinished multipart upload is aborted when possible
/// (configure a bucket lifecycle rule for incomplete uploads as well, for crashes). Archives larger than
/// one part are sent as a multipart upload; memory holds one part.
/// </summary>
public sealed class S3BackupStore : IBackupStore
{
    private const string InfoExtension = ".json";
    private const long MinimumPartSize = 5L * 1024 * 1024;
    private const long MaximumPartSize = 5L * 1024 * 1024 * 1024;

    private readonly IAmazonS3 _s3;
    private readonly S3BackupStoreOptions _options;

    /// <summary>Creates the store over an S3 client.</summary>
    /// <param name="s3">The S3 client (its endpoint, region and credentials are used as they are).</param>
    /// <param name="options">The bucket, prefix and upload settings.</param>
    /// <exception cref="OptionsValidationException">Options break their rules; <see cref="OptionsValidationException.Failures"/> names each, all at once.</exception>
    public S3BackupStore(IAmazonS3 s3, S3BackupStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BucketName))
        {
            failures.Add("S3BackupStoreOptions.BucketName is required.");
        }

        if (options.PartSizeBytes is < MinimumPartSize or > MaximumPartSize)
        {
            failures.Add($"S3BackupStoreOptions.PartSizeBytes ({options.PartSizeBytes}) must be between 5 MiB and 5 GiB (S3's limits for a part).");
        }

        if (options.ListPageSize is < 1 or > 1000)
        {
            failures.Add($"S3BackupStoreOptions.ListPageSize ({options.ListPageSize}) must be between 1 and 1000.");
        }

        if (failures.Count > 0)
        {
            // The same exception, and one message per option, as every other options class (docs/configuration.md).
            throw new OptionsValidationException(nameof(S3BackupStoreOptions), typeof(S3BackupStoreOptions), failures);
        }

        _s3 = s3;
        _options = options;
    }

    /// <inheritdoc />
    public Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        return Task.FromResult<IBackupUpload>(new S3Upload(this, backupId));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) =>
        (await ScanAsync(cancellationToken).ConfigureAwait(false)).Backups;

    /// <inheritdoc />
    public async Task<BackupListing> ScanAsync(CancellationToken cancellationToken)
    {
        var backups = new List<BackupInfo>();
        var unreadable = new List<UnreadableStoreEntry>();
        string? continuation = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = _options.BucketName, Prefix = _options.Prefix, ContinuationToken = continuation, MaxKeys = _options.ListPageSize },
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                var name = item.Key[_options.Prefix.Length..];
                if (!name.EndsWith(InfoExtension, StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal) || name.StartsWith('.'))
                {
                    continue;
                }

                // Keys others put under the prefix (a README.json, a tool's marker) must not stop the listing:
                // each key that is not a backup's info is reported by name and the others are listed.
                var id = name[..^InfoExtension.Length];
                try
                {
                    var info = await GetAsync(id, cancellationToken).ConfigureAwait(false);
                    if (info is not null && string.Equals(info.Id, id, StringComparison.Ordinal))
                    {
                        backups.Add(info);
                    }
                    else if (info is not null)
                    {
                        unreadable.Add(new UnreadableStoreEntry(item.Key, $"it names backup {info.Id}, not {id}"));
                    }
                }
                catch (BackupIntegrityException e)
                {
                    unreadable.Add(new UnreadableStoreEntry(item.Key, e.InnerException?.Message ?? e.Message));
                }
                catch (ArgumentException e)
                {
                    unreadable.Add(new UnreadableStoreEntry(item.Key, e.Message));
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden)
                {
                    // A key the store's credentials may list but not read (another tool's object, another KMS key).
                    unreadable.Add(new UnreadableStoreEntry(item.Key, $"it cannot be read with the store's credentials: {e.Message}"));
                }
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        return new BackupListing(backups, unreadable);
    }

    /// <inheritdoc />
    public async Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        try
        {
            using var response = await _s3.GetObjectAsync(_options.BucketName, InfoKey(backupId), cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            try
            {
                return BackupInfo.FromJson(buffer.ToArray());
            }
            catch (BackupIntegrityException e)
            {
                throw new BackupIntegrityException(backupId, BackupProblem.Unreadable, $"{this}{backupId}{InfoExtension} is not a backup info: {e.InnerException?.Message}", e.InnerException, objectPath: InfoKey(backupId));
            }
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
    {
        var info = await GetAsync(backupId, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupNotFoundException(backupId, ToString());
        try
        {
            var response = await _s3.GetObjectAsync(_options.BucketName, ArchiveKey(backupId, info.Encryption is not null), cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BackupNotFoundException(backupId, $"{this} (the info exists but the archive does not)");
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        await _s3.DeleteObjectAsync(_options.BucketName, InfoKey(backupId), cancellationToken).ConfigureAwait(false);
        await _s3.DeleteObjectAsync(_options.BucketName, ArchiveKey(backupId, encrypted: false), cancellationToken).ConfigureAwait(false);
        await _s3.DeleteObjectAsync(_options.BucketName, ArchiveKey(backupId, encrypted: true), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"s3://{bucket}/{prefix}".</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"s3://{_options.BucketName}/{_options.Prefix}";

    private static void CheckId(string backupId)
    {
        ArgumentException.ThrowIfNullOrEmpty(backupId);
        if (backupId.IndexOfAny(['/', '\\']) >= 0 || backupId.StartsWith('.'))
        {
            throw new ArgumentException($"Backup id \"{backupId}\" is not a valid object name.", nameof(backupId));
        }
    }

    private string InfoKey(string backupId) => $"{_options.Prefix}{backupId}{InfoExtension}";

    private string ArchiveKey(string backupId, bool encrypted) => $"{_options.Prefix}{backupId}{(encrypted ? ".tar.enc" : ".tar")}";

    /// <summary>
    /// Buffers one part; the first full part starts a multipart upload, each further full part is uploaded as
    /// it fills. Commit sends what remains (as a single PUT when no part was sent), completes the upload, then
    /// PUTs the info.
    /// </summary>
    private sealed class S3Upload(S3BackupStore store, string backupId) : Stream, IBackupUpload
    {
        private readonly MemoryStream _part = new();
        private readonly List<PartETag> _parts = [];
        private string? _uploadId;
        private string? _key;
        private bool _committed;
        private bool _archiveStored;

        public Stream Content => this;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var room = (int)Math.Min(buffer.Length, store._options.PartSizeBytes - _part.Length);
                await _part.WriteAsync(buffer[..room], cancellationToken).ConfigureAwait(false);
                buffer = buffer[room..];
                if (_part.Length == store._options.PartSizeBytes)
                {
                    await SendPartAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public async Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            await StoreArchiveAsync(info, cancellationToken).ConfigureAwait(false);

            // The archive object without its info never lists; it is read back as stored, validated, and only
            // then does the commit PUT the info.
            var response = await store._s3.GetObjectAsync(store._options.BucketName, _key, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }

        public async Task CommitAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            await StoreArchiveAsync(info, cancellationToken).ConfigureAwait(false);
            using var infoStream = new MemoryStream(info.ToJson());
            await store._s3.PutObjectAsync(
                new PutObjectRequest { BucketName = store._options.BucketName, Key = store.InfoKey(backupId), InputStream = infoStream, AutoCloseStream = false, UseChunkEncoding = store._options.UseChunkEncoding, ContentType = "application/json" },
                cancellationToken).ConfigureAwait(false);
            _committed = true;
        }

        private async Task StoreArchiveAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            if (info.Id != backupId)
            {
                throw new ArgumentException($"The info is for backup {info.Id}, but this upload is backup {backupId}.", nameof(info));
            }

            if (_archiveStored)
            {
                return;
            }

            var key = store.ArchiveKey(backupId, info.Encryption is not null);
            if (_uploadId is null)
            {
                _part.Position = 0;
                _key = key;
                await store._s3.PutObjectAsync(
                    new PutObjectRequest { BucketName = store._options.BucketName, Key = key, InputStream = _part, AutoCloseStream = false, UseChunkEncoding = store._options.UseChunkEncoding },
                    cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_key != key)
                {
                    throw new InvalidOperationException($"Backup {backupId} was uploaded as {_key} but its info says {key}.");
                }

                if (_part.Length > 0)
                {
                    await SendPartAsync(cancellationToken).ConfigureAwait(false);
                }

                await store._s3.CompleteMultipartUploadAsync(
                    new CompleteMultipartUploadRequest { BucketName = store._options.BucketName, Key = key, UploadId = _uploadId, PartETags = _parts },
                    cancellationToken).ConfigureAwait(false);
            }

            _archiveStored = true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_committed && _archiveStored)
            {
                try
                {
                    // Staged (or stored by a commit that failed at the info) but never listed: removed rather
                    // than left as an orphan object.
                    await store._s3.DeleteObjectAsync(store._options.BucketName, _key).ConfigureAwait(false);
                }
                catch (AmazonS3Exception)
                {
                    // Best effort: an archive without its info never lists as a backup.
                }
            }
            else if (!_committed && _uploadId is not null)
            {
                try
                {
                    await store._s3.AbortMultipartUploadAsync(store._options.BucketName, _key, _uploadId).ConfigureAwait(false);
                }
                catch (AmazonS3Exception)
                {
                    // Best effort: the parts are invisible (never listed as a backup); a bucket lifecycle rule
                    // for incomplete multipart uploads reclaims them where abort is not possible.
                }
            }

            await _part.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private async Task SendPartAsync(CancellationToken cancellationToken)
        {
            if (_uploadId is null)
            {
                // The archive's name depends on encryption, known at commit; a multipart upload starts before,
                // so it is named for encryption when the first bytes are the encryption header's magic.
                _key = store.ArchiveKey(backupId, encrypted: _part.GetBuffer().AsSpan(0, 8).SequenceEqual("RKHAENC1"u8));
                var started = await store._s3.InitiateMultipartUploadAsync(
                    new InitiateMultipartUploadRequest { BucketName = store._options.BucketName, Key = _key },
                    cancellationToken).ConfigureAwait(false);
                _uploadId = started.UploadId;
            }

            _part.Position = 0;
            var number = _parts.Count + 1;
            var response = await store._s3.UploadPartAsync(
                new UploadPartRequest
                {
                    BucketName = store._options.BucketName,
                    Key = _key,
                    UploadId = _uploadId,
                    PartNumber = number,
                    InputStream = _part,
                    PartSize = _part.Length,
                    UseChunkEncoding = store._options.UseChunkEncoding,
                },
                cancellationToken).ConfigureAwait(false);
            _parts.Add(new PartETag(number, response.ETag));
            _part.SetLength(0);
        }
    }

    /// <summary>The object's content stream, disposing the response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => response.ResponseStream.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            response.ResponseStream.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            response.ResponseStream.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
