using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.AspNetCore;

/// <summary>The DataAnnotations ranges of <see cref="HaApiOptions"/>, checked by code the options validation source generator writes (no reflection).</summary>
[OptionsValidator]
internal sealed partial class HaApiOptionsRangeValidator : IValidateOptions<HaApiOptions>;
