using System.Runtime.InteropServices;

namespace RoostKeeper.Ha.Processes;

/// <summary>
/// POSIX signals to a child process: SIGSTOP/SIGCONT pause and resume it as a GC pause or a frozen VM would,
/// SIGTERM stops it gracefully. Linux and macOS (their numbers differ); Windows has no signals, so check
/// <see cref="IsSupported"/> first. Shared source: the sample's walk-through and the process chaos runner.
/// </summary>
internal static partial class PosixSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>True where kill(2) with SIGSTOP and SIGCONT exists: Linux, macOS and the BSDs.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>SIGSTOP: 19 on Linux, 17 on macOS and the BSDs. It cannot be caught or ignored.</summary>
    public static int SigStop => OperatingSystem.IsLinux() ? 19 : 17;

    /// <summary>SIGCONT: 18 on Linux, 19 on macOS and the BSDs.</summary>
    public static int SigCont => OperatingSystem.IsLinux() ? 18 : 19;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when it could not (no such process, or no signals here).</summary>
    public static bool Send(int pid, int signal) => IsSupported && Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
