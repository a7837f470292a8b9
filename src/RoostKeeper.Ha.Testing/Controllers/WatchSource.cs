using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>A resource a controller watches, and which of its objects' keys each change of it makes dirty.</summary>
internal sealed record WatchSource(ResourceType Type, Func<WatchEvent, IEnumerable<ObjectKey>> KeysFor);
