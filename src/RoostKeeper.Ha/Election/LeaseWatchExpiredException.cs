namespace RoostKeeper.Ha.Election;

/// <summary>The watch's resourceVersion is older than the server's history (410 Gone): re-read, then watch again.</summary>
internal sealed class LeaseWatchExpiredException : Exception
{
    public LeaseWatchExpiredException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
