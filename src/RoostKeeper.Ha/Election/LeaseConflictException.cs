namespace RoostKeeper.Ha.Election;

/// <summary>A conditional write lost to another writer (409), or its target disappeared (404).</summary>
internal sealed class LeaseConflictException : Exception
{
    public LeaseConflictException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
