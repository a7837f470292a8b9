using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The single-property rules of <see cref="LeaderElectionOptions"/> (its DataAnnotations), checked by code the
/// options validation source generator writes; <see cref="LeaderElectionOptionsValidator"/> adds the rest.
/// </summary>
[OptionsValidator]
internal sealed partial class LeaderElectionOptionsAnnotations : IValidateOptions<LeaderElectionOptions>
{
}
