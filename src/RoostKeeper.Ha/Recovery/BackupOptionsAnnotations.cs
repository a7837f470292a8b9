using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// The single-property rules of <see cref="BackupOptions"/> (its DataAnnotations), checked by code the options
/// validation source generator writes; <see cref="BackupOptionsValidator"/> adds the rest.
/// </summary>
[OptionsValidator]
internal sealed partial class BackupOptionsAnnotations : IValidateOptions<BackupOptions>
{
}
