using System.Runtime.InteropServices;

namespace RoostKeeper.Ha.ProcessChaos.Faults;

/// <summary>POSIX signals to a replica process: SIGSTOP/SIGCONT pause it as a GC or a frozen VM would, SIGTERM stops it gracefully.</summary>
internal static partial class Signals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;
    public const int SigStop = 19;
    public const int SigCont = 18;

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
